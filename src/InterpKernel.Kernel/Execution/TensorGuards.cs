using System.ComponentModel;
using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Kernel.Execution;

/// <summary>
/// Shape checks that run before TorchSharp operations whose native errors are not turned into .NET exceptions
/// by TorchSharp 0.107 (the C++ exception escapes and the process ends, even inside <c>try</c>). The kernel's
/// <see cref="TensorGuardRewriter"/> routes a cell's calls of these operations here; a mismatch throws an
/// <see cref="ArgumentException"/> naming the operation and the shapes, and the native code never runs.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class TensorGuards
{
    /// <summary>The operations guarded, as TorchSharp names them on <c>torch</c> and <c>torch.Tensor</c>.</summary>
    public static IReadOnlySet<string> Guarded { get; } = new HashSet<string>(StringComparer.Ordinal) { "matmul" };

    /// <summary><c>a.matmul(b)</c> after checking that the shapes can be multiplied.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    /// <returns>The product.</returns>
    public static Tensor matmul(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        CheckMatmul(a.shape, b.shape);
        return a.matmul(b);
    }

    internal static void CheckMatmul(long[] a, long[] b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            throw Mismatch(a, b, "both operands need at least one dimension");
        }

        var inner = a[^1];
        var other = b.Length == 1 ? b[0] : b[^2];
        if (inner != other)
        {
            throw Mismatch(a, b, $"the last dimension of the first ({inner}) must equal the {(b.Length == 1 ? "length" : "second-to-last dimension")} of the second ({other})");
        }

        // Leading (batch) dimensions broadcast as in elementwise operations.
        var batchA = a.Length > 2 ? a[..^2] : [];
        var batchB = b.Length > 2 ? b[..^2] : [];
        for (int i = 1; i <= Math.Min(batchA.Length, batchB.Length); i++)
        {
            var x = batchA[^i];
            var y = batchB[^i];
            if (x != y && x != 1 && y != 1)
            {
                throw Mismatch(a, b, $"batch dimensions {x} and {y} do not broadcast");
            }
        }
    }

    private static ArgumentException Mismatch(long[] a, long[] b, string why) =>
        new($"matmul: shapes [{string.Join(", ", a)}] and [{string.Join(", ", b)}] cannot be multiplied: {why}. " +
            "Transpose or reshape an operand (for example b.T or b.reshape(...)) so that the inner dimensions agree.");
}
