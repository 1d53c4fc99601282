using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace InterpKernel.Loading;

/// <summary>
/// Reads NumPy's <c>.npz</c> archives (a zip of <c>.npy</c> files, stored or deflated, as <c>numpy.savez</c> and
/// <c>numpy.savez_compressed</c> write them) and single <c>.npy</c> arrays into tensors. Format versions 1.0, 2.0 and
/// 3.0; little-endian floats (<c>f2</c>, <c>f4</c>, <c>f8</c>), integers (<c>i1</c> to <c>i8</c>, <c>u1</c>) and
/// booleans; C or Fortran order (a Fortran-ordered array comes back as a contiguous tensor of the same values).
/// </summary>
/// <example>
/// <code>
/// var arrays = NpzFile.Load("layer_12/width_16k/average_l0_82/params.npz");
/// Tensor wEnc = arrays["W_enc"]; // [d_in, d_sae]
/// </code>
/// </example>
public static partial class NpzFile
{
    static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Every array of the archive, keyed by its name without <c>.npy</c>; the caller owns the tensors.</summary>
    /// <param name="path">The <c>.npz</c> file.</param>
    /// <param name="dtype">Converts the arrays to this type; null keeps the stored one.</param>
    /// <param name="device">Where the tensors go; null keeps them on the CPU.</param>
    /// <exception cref="InvalidDataException">The file is not a zip, or an entry is not a readable <c>.npy</c> array.</exception>
    public static Dictionary<string, Tensor> Load(string path, ScalarType? dtype = null, Device? device = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No .npz file at '{Path.GetFullPath(path)}'.", path);
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: not an .npz archive (a zip of .npy files): {e.Message}", e);
        }
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            using (zip)
            {
                foreach (var entry in zip.Entries)
                {
                    if (entry.FullName.EndsWith('/')) continue;
                    string name = entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName[..^4] : entry.FullName;
                    using var stream = entry.Open();
                    result[name] = ReadNpy(stream, $"{path}: '{entry.FullName}'", dtype, device);
                }
            }
            return result;
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>Reads one <c>.npy</c> array from <paramref name="stream"/>, which is left just after the array's data.</summary>
    /// <param name="stream">A stream positioned at the array's magic string.</param>
    /// <param name="what">How error messages name the array (a file, or an archive and entry).</param>
    /// <param name="dtype">Converts the array to this type; null keeps the stored one.</param>
    /// <param name="device">Where the tensor goes; null keeps it on the CPU.</param>
    /// <exception cref="InvalidDataException">The bytes are not a <c>.npy</c> array this reader supports.</exception>
    public static Tensor ReadNpy(Stream stream, string what, ScalarType? dtype = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var (type, fortran, shape) = ReadHeader(stream, what);
        using var scope = NewDisposeScope();
        // A Fortran-ordered array is the C-ordered array of the reversed shape, transposed.
        long[] stored = fortran ? [.. shape.Reverse()] : shape;
        var raw = empty(stored, type);
        TensorBytes.ReadFromStream(stream, raw, TensorBytes.DefaultChunkBytes, what);
        var values = fortran && shape.Length > 1 ? raw.permute([.. Enumerable.Range(0, shape.Length).Reverse().Select(i => (long)i)]).contiguous() : raw;
        if (dtype is { } d && d != type) values = values.to(d);
        if (device is not null) values = values.to(device);
        return values.MoveToOuterDisposeScope();
    }

    static (ScalarType Type, bool Fortran, long[] Shape) ReadHeader(Stream stream, string what)
    {
        Span<byte> prefix = stackalloc byte[8];
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8 || !prefix[..6].SequenceEqual(Magic))
            throw new InvalidDataException($"{what}: not a .npy array (it does not start with \\x93NUMPY).");
        int major = prefix[6];
        int lengthBytes = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw new InvalidDataException($"{what}: .npy format version {major}.{prefix[7]} is not supported; versions 1.0, 2.0 and 3.0 are."),
        };
        Span<byte> lengthField = stackalloc byte[4];
        if (stream.ReadAtLeast(lengthField[..lengthBytes], lengthBytes, throwOnEndOfStream: false) < lengthBytes)
            throw new InvalidDataException($"{what}: the .npy header is cut short.");
        long headerLength = lengthBytes == 2 ? BitConverter.ToUInt16(lengthField[..2]) : BitConverter.ToUInt32(lengthField);
        if (headerLength > 1 << 20) throw new InvalidDataException($"{what}: the .npy header claims {headerLength} bytes, more than any array needs.");
        var headerBytes = new byte[headerLength];
        if (stream.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false) < headerBytes.Length)
            throw new InvalidDataException($"{what}: the .npy header is cut short.");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);

        string descr = Field(header, DescrPattern(), what, "descr");
        bool fortran = Field(header, FortranPattern(), what, "fortran_order") == "True";
        string shapeText = Field(header, ShapePattern(), what, "shape");
        long[] shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.TryParse(s.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out long n)
                ? n : throw new InvalidDataException($"{what}: the .npy shape ({shapeText}) is not a tuple of whole numbers."))
            .ToArray();
        return (TypeOf(descr, what), fortran, shape);
    }

    static string Field(string header, Regex pattern, string what, string key)
    {
        var match = pattern.Match(header);
        if (!match.Success) throw new InvalidDataException($"{what}: the .npy header {header.Trim()} lacks a readable '{key}'.");
        return match.Groups[1].Value;
    }

    static ScalarType TypeOf(string descr, string what)
    {
        // '|' marks a type whose byte order does not matter; '=' is the writer's native order, little-endian in practice.
        char order = descr.Length > 0 ? descr[0] : '?';
        string code = order is '<' or '>' or '|' or '=' ? descr[1..] : descr;
        bool singleByte = code is "u1" or "i1" or "b1";
        if (order == '>' && !singleByte)
            throw new InvalidDataException($"{what}: the array is big-endian ('{descr}'); save it little-endian (numpy: a.astype(a.dtype.newbyteorder('<'))).");
        return code switch
        {
            "f2" => ScalarType.Float16,
            "f4" => ScalarType.Float32,
            "f8" => ScalarType.Float64,
            "i1" => ScalarType.Int8,
            "u1" => ScalarType.Byte,
            "i2" => ScalarType.Int16,
            "i4" => ScalarType.Int32,
            "i8" => ScalarType.Int64,
            "b1" => ScalarType.Bool,
            _ => throw new InvalidDataException($"{what}: the .npy dtype '{descr}' is not supported; floats f2/f4/f8, integers i1-i8 and u1, and booleans are."),
        };
    }

    [GeneratedRegex(@"['""]descr['""]\s*:\s*['""]([^'""]*)['""]")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"['""]fortran_order['""]\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"['""]shape['""]\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
