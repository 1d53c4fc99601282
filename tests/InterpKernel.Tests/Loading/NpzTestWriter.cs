using System.IO.Compression;
using System.Text;

namespace InterpKernel.Tests.Loading;

/// <summary>One array for <see cref="NpzTestWriter"/>: raw little-endian bytes in the stated order.</summary>
internal sealed record NpyArray(string Descr, long[] Shape, byte[] Data, bool FortranOrder = false, int Version = 1)
{
    public static NpyArray Float32(long[] shape, float[] values, bool fortranOrder = false, int version = 1) =>
        new("<f4", shape, values.SelectMany(BitConverter.GetBytes).ToArray(), fortranOrder, version);

    public static NpyArray Float16(long[] shape, float[] values) =>
        new("<f2", shape, values.SelectMany(v => BitConverter.GetBytes((Half)v)).ToArray());

    public static NpyArray Float64(long[] shape, double[] values) =>
        new("<f8", shape, values.SelectMany(BitConverter.GetBytes).ToArray());

    public static NpyArray Int64(long[] shape, long[] values) =>
        new("<i8", shape, values.SelectMany(BitConverter.GetBytes).ToArray());

    /// <summary>The .npy bytes as numpy writes them: magic, version, header length, a padded dict, then the data.</summary>
    public byte[] ToNpy()
    {
        string shape = Shape.Length switch
        {
            0 => "()",
            1 => $"({Shape[0]},)",
            _ => "(" + string.Join(", ", Shape) + ")",
        };
        string dict = $"{{'descr': '{Descr}', 'fortran_order': {(FortranOrder ? "True" : "False")}, 'shape': {shape}, }}";
        int lengthBytes = Version == 1 ? 2 : 4;
        int unpadded = 6 + 2 + lengthBytes + dict.Length + 1;
        string header = dict + new string(' ', (64 - unpadded % 64) % 64) + "\n";
        using var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)Version, 0]);
        if (lengthBytes == 2) ms.Write(BitConverter.GetBytes((ushort)header.Length));
        else ms.Write(BitConverter.GetBytes((uint)header.Length));
        ms.Write(Encoding.ASCII.GetBytes(header));
        ms.Write(Data);
        return ms.ToArray();
    }
}

/// <summary>Writes .npz archives the way numpy.savez (stored) and numpy.savez_compressed (deflated) do.</summary>
internal static class NpzTestWriter
{
    public static void Write(string path, IReadOnlyDictionary<string, NpyArray> arrays, bool compressed = false)
    {
        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        foreach (var (name, array) in arrays)
        {
            var entry = zip.CreateEntry(name + ".npy", compressed ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
            using var stream = entry.Open();
            stream.Write(array.ToNpy());
        }
    }
}
