using System.Buffers.Binary;
using System.Text;

namespace InterpKernel;

/// <summary>
/// The dynamic symbol table (<c>.dynsym</c>) of a 64-bit little-endian ELF shared library: which symbols it defines
/// and which unversioned ones it needs from other libraries. Only the section headers and the two sections are read,
/// so a 1 GB <c>libtorch_cuda.so</c> costs a few tens of megabytes.
/// </summary>
internal sealed class ElfDynamicSymbols
{
    const uint ShtDynsym = 11, ShtGnuVersym = 0x6fffffff;
    const int SymbolSize = 24, SectionHeaderSize = 64;

    ElfDynamicSymbols(HashSet<string> defined, List<string> neededUnversioned)
    {
        Defined = defined;
        NeededUnversioned = neededUnversioned;
    }

    /// <summary>Names of the global and weak symbols the library defines.</summary>
    public HashSet<string> Defined { get; }

    /// <summary>
    /// Names of the strong undefined symbols that carry no version: the ones a C++ library such as libtorch must
    /// provide (libc and libstdc++ symbols are versioned, so they are not counted).
    /// </summary>
    public List<string> NeededUnversioned { get; }

    /// <summary>Reads the dynamic symbols of the ELF file at <paramref name="path"/>.</summary>
    public static ElfDynamicSymbols Read(string path)
    {
        using var file = File.OpenHandle(path);
        var header = new byte[64];
        ReadExactly(file, header, 0, path);
        if (header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F')
            throw new InvalidDataException($"{path} is not an ELF file.");
        if (header[4] != 2 || header[5] != 1)
            throw new InvalidDataException($"{path} is not a 64-bit little-endian ELF file.");
        long shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(0x28));
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x3C));
        var sections = new byte[shnum * SectionHeaderSize];
        ReadExactly(file, sections, shoff, path);

        (long Offset, long Size, int Link) Section(int i)
        {
            var s = sections.AsSpan(i * SectionHeaderSize, SectionHeaderSize);
            return ((long)BinaryPrimitives.ReadUInt64LittleEndian(s[0x18..]), (long)BinaryPrimitives.ReadUInt64LittleEndian(s[0x20..]),
                    (int)BinaryPrimitives.ReadUInt32LittleEndian(s[0x28..]));
        }
        uint Type(int i) => BinaryPrimitives.ReadUInt32LittleEndian(sections.AsSpan(i * SectionHeaderSize + 4));

        int dynsym = -1, versym = -1;
        for (int i = 0; i < shnum; i++)
        {
            if (Type(i) == ShtDynsym) dynsym = i;
            else if (Type(i) == ShtGnuVersym) versym = i;
        }
        if (dynsym < 0) return new ElfDynamicSymbols(new HashSet<string>(StringComparer.Ordinal), new List<string>());
        var symbols = ReadSection(file, Section(dynsym), path);
        var strings = ReadSection(file, Section(Section(dynsym).Link), path);
        byte[]? versions = versym >= 0 ? ReadSection(file, Section(versym), path) : null;

        var defined = new HashSet<string>(StringComparer.Ordinal);
        var needed = new List<string>();
        int count = symbols.Length / SymbolSize;
        for (int i = 1; i < count; i++)
        {
            var s = symbols.AsSpan(i * SymbolSize, SymbolSize);
            int binding = s[4] >> 4; // 1 global, 2 weak, 10 GNU unique
            if (binding is not (1 or 2 or 10)) continue;
            bool undefined = BinaryPrimitives.ReadUInt16LittleEndian(s[6..]) == 0;
            string name = Name(strings, BinaryPrimitives.ReadUInt32LittleEndian(s));
            if (name.Length == 0) continue;
            if (!undefined)
            {
                defined.Add(name);
                continue;
            }
            int version = versions is null ? 1 : BinaryPrimitives.ReadUInt16LittleEndian(versions.AsSpan(i * 2)) & 0x7fff;
            if (binding == 1 && version <= 1) needed.Add(name);
        }
        return new ElfDynamicSymbols(defined, needed);
    }

    static string Name(byte[] strings, uint offset)
    {
        if (offset >= strings.Length) return "";
        var rest = strings.AsSpan((int)offset);
        int end = rest.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? rest : rest[..end]);
    }

    static byte[] ReadSection(Microsoft.Win32.SafeHandles.SafeFileHandle file, (long Offset, long Size, int Link) section, string path)
    {
        var bytes = new byte[section.Size];
        ReadExactly(file, bytes, section.Offset, path);
        return bytes;
    }

    static void ReadExactly(Microsoft.Win32.SafeHandles.SafeFileHandle file, byte[] buffer, long offset, string path)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int n = RandomAccess.Read(file, buffer.AsSpan(done), offset + done);
            if (n <= 0) throw new InvalidDataException($"{path} ends before its ELF headers say it should: the file is truncated.");
            done += n;
        }
    }
}
