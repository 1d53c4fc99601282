using System.Text;

namespace InterpKernel.Interactive.Natives;

/// <summary>
/// Marks one GNU symbol-version requirement of an x86-64 ELF shared library weak (<c>VER_FLG_WEAK</c> in its
/// <c>Elf64_Vernaux</c> record), so the loader accepts the library where the system lacks that version. The same
/// edit the build applies to the copies of <c>libLibTorchSharp.so</c> it writes (build/WeakenGlibcxxVersionNeed.cs),
/// here for the copy a notebook host loads.
/// </summary>
internal static class ElfVersionNeed
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>Whether the file's bytes hold the NUL-terminated version name (how libstdc++ lists the versions it has).</summary>
    public static bool Provides(string library, string versionName) =>
        File.ReadAllBytes(library).AsSpan().IndexOf(Encoding.ASCII.GetBytes(versionName + "\0")) >= 0;

    /// <summary>Sets the weak flag on every requirement of <paramref name="versionName"/>; returns how many records changed.</summary>
    /// <exception cref="InvalidDataException">The file is not a 64-bit little-endian ELF file.</exception>
    public static int Weaken(string path, string versionName)
    {
        var b = File.ReadAllBytes(path);
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F' || b[4] != 2 || b[5] != 1)
        {
            throw new InvalidDataException($"{path} is not a 64-bit little-endian ELF file.");
        }

        var shoff = (long)BitConverter.ToUInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A);
        int shnum = BitConverter.ToUInt16(b, 0x3C);
        var changed = 0;
        for (var s = 0; s < shnum; s++)
        {
            var sh = (int)(shoff + (long)s * shentsize);
            if (BitConverter.ToUInt32(b, sh + 4) != ShtGnuVerneed)
            {
                continue;
            }

            var strings = (int)BitConverter.ToUInt64(b, (int)(shoff + (long)BitConverter.ToUInt32(b, sh + 0x28) * shentsize) + 0x18);
            var vn = (int)BitConverter.ToUInt64(b, sh + 0x18);
            var count = BitConverter.ToUInt32(b, sh + 0x2C);
            for (var i = 0; i < count; i++)
            {
                var va = vn + (int)BitConverter.ToUInt32(b, vn + 8);
                for (var k = 0; k < BitConverter.ToUInt16(b, vn + 2); k++)
                {
                    var name = strings + (int)BitConverter.ToUInt32(b, va + 8);
                    var end = Array.IndexOf(b, (byte)0, name);
                    var flags = BitConverter.ToUInt16(b, va + 4);
                    if (Encoding.ASCII.GetString(b, name, end - name) == versionName && (flags & VerFlgWeak) == 0)
                    {
                        BitConverter.TryWriteBytes(b.AsSpan(va + 4, 2), (ushort)(flags | VerFlgWeak));
                        changed++;
                    }

                    var next = BitConverter.ToUInt32(b, va + 12);
                    if (next == 0)
                    {
                        break;
                    }

                    va += (int)next;
                }

                var nextNeed = BitConverter.ToUInt32(b, vn + 12);
                if (nextNeed == 0)
                {
                    break;
                }

                vn += (int)nextNeed;
            }
        }

        if (changed > 0)
        {
            File.WriteAllBytes(path, b);
        }

        return changed;
    }
}
