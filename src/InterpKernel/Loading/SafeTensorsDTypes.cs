using static TorchSharp.torch;

namespace InterpKernel.Loading;

/// <summary>Header spellings, element sizes and TorchSharp types of <see cref="SafeTensorsDType"/>.</summary>
internal static class SafeTensorsDTypes
{
    private static readonly (SafeTensorsDType DType, string Name, int Size, ScalarType Scalar)[] Table =
    [
        (SafeTensorsDType.F64, "F64", 8, ScalarType.Float64),
        (SafeTensorsDType.F32, "F32", 4, ScalarType.Float32),
        (SafeTensorsDType.F16, "F16", 2, ScalarType.Float16),
        (SafeTensorsDType.BF16, "BF16", 2, ScalarType.BFloat16),
        (SafeTensorsDType.I64, "I64", 8, ScalarType.Int64),
        (SafeTensorsDType.I32, "I32", 4, ScalarType.Int32),
        (SafeTensorsDType.I16, "I16", 2, ScalarType.Int16),
        (SafeTensorsDType.I8, "I8", 1, ScalarType.Int8),
        (SafeTensorsDType.U8, "U8", 1, ScalarType.Byte),
        (SafeTensorsDType.Bool, "BOOL", 1, ScalarType.Bool),
    ];

    /// <summary>The header spellings, comma-separated, for error messages.</summary>
    public static string SupportedNames { get; } = string.Join(", ", Table.Select(e => e.Name));

    public static bool TryParse(string name, out SafeTensorsDType dtype)
    {
        foreach (var entry in Table)
        {
            // The format is case-sensitive; accepting "f16" would write files other readers reject.
            if (entry.Name == name)
            {
                dtype = entry.DType;
                return true;
            }
        }
        dtype = default;
        return false;
    }

    public static string HeaderName(SafeTensorsDType dtype) => Find(dtype).Name;

    public static int ElementSize(SafeTensorsDType dtype) => Find(dtype).Size;

    public static ScalarType ToScalarType(SafeTensorsDType dtype) => Find(dtype).Scalar;

    public static bool TryFromScalarType(ScalarType scalar, out SafeTensorsDType dtype)
    {
        foreach (var entry in Table)
        {
            if (entry.Scalar == scalar)
            {
                dtype = entry.DType;
                return true;
            }
        }
        dtype = default;
        return false;
    }

    private static (SafeTensorsDType DType, string Name, int Size, ScalarType Scalar) Find(SafeTensorsDType dtype)
    {
        foreach (var entry in Table)
        {
            if (entry.DType == dtype)
            {
                return entry;
            }
        }
        throw new ArgumentOutOfRangeException(nameof(dtype), dtype, $"{dtype} is not a safetensors dtype; use one of {SupportedNames}.");
    }
}
