namespace InterpKernel.Loading;

/// <summary>
/// One tensor's entry in a safetensors header, already validated.
/// </summary>
/// <param name="Name">The tensor's name as the checkpoint spells it, e.g. <c>transformer.wte.weight</c>.</param>
/// <param name="DType">The element type of the stored bytes.</param>
/// <param name="Shape">The dimensions; empty for a scalar. Do not modify the array.</param>
/// <param name="Begin">First byte of the tensor, relative to the start of the data section (after the header).</param>
/// <param name="End">One past the last byte, relative to the start of the data section.</param>
public sealed record SafeTensorInfo(string Name, SafeTensorsDType DType, long[] Shape, long Begin, long End)
{
    /// <summary>The number of elements: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (product, dim) => product * dim);

    /// <summary>The number of stored bytes, <see cref="End"/> − <see cref="Begin"/>.</summary>
    public long ByteLength => End - Begin;

    /// <summary>A readable summary such as <c>transformer.wte.weight F16 [50257, 128]</c>.</summary>
    public override string ToString() => $"{Name} {DType} [{string.Join(", ", Shape)}]";
}
