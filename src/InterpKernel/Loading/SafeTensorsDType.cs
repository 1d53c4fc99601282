namespace InterpKernel.Loading;

/// <summary>
/// The element types a safetensors file may hold that this reader and writer support. Each maps to one
/// TorchSharp <see cref="TorchSharp.torch.ScalarType"/>; the header spells them <c>F64</c>, <c>F32</c>,
/// <c>F16</c>, <c>BF16</c>, <c>I64</c>, <c>I32</c>, <c>I16</c>, <c>I8</c>, <c>U8</c> and <c>BOOL</c>.
/// </summary>
public enum SafeTensorsDType
{
    /// <summary>IEEE 754 double precision (8 bytes), <c>F64</c>.</summary>
    F64,

    /// <summary>IEEE 754 single precision (4 bytes), <c>F32</c>.</summary>
    F32,

    /// <summary>IEEE 754 half precision (2 bytes), <c>F16</c>.</summary>
    F16,

    /// <summary>bfloat16 (2 bytes: the top half of an F32), <c>BF16</c>.</summary>
    BF16,

    /// <summary>Signed 64-bit integer, <c>I64</c>.</summary>
    I64,

    /// <summary>Signed 32-bit integer, <c>I32</c>.</summary>
    I32,

    /// <summary>Signed 16-bit integer, <c>I16</c>.</summary>
    I16,

    /// <summary>Signed 8-bit integer, <c>I8</c>.</summary>
    I8,

    /// <summary>Unsigned 8-bit integer, <c>U8</c>.</summary>
    U8,

    /// <summary>Boolean stored as one byte holding 0 or 1, <c>BOOL</c>.</summary>
    Bool,
}
