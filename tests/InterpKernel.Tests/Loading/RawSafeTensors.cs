using System.Buffers.Binary;
using System.Text;

namespace InterpKernel.Tests.Loading;

/// <summary>Builds safetensors files byte by byte, so tests can make every kind of broken file.</summary>
internal static class RawSafeTensors
{
    /// <summary>Writes the 8-byte little-endian length (the header's own unless <paramref name="declaredLength"/> is given), the header, then the data.</summary>
    public static string Write(string path, byte[] header, byte[] data, ulong? declaredLength = null)
    {
        using var stream = File.Create(path);
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, declaredLength ?? (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        stream.Write(data);
        return path;
    }

    public static string Write(string path, string header, int dataBytes, ulong? declaredLength = null) =>
        Write(path, Encoding.UTF8.GetBytes(header), Enumerable.Range(0, dataBytes).Select(i => (byte)i).ToArray(), declaredLength);

    /// <summary>Reads a file's header length, header JSON text and data section as the format defines them.</summary>
    public static (ulong HeaderLength, string Header, byte[] Data) Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)length);
        return (length, header, bytes[(8 + (int)length)..]);
    }
}
