using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Views;

/// <summary>Copies tensor values into plain arrays so that views never hold on to tensors.</summary>
internal static class TensorData
{
    public static float[] ToFloats(Tensor tensor, string name)
    {
        ArgumentNullException.ThrowIfNull(tensor, name);
        if (tensor.IsInvalid)
        {
            throw new ArgumentException($"tensor '{name}' has been disposed: copy it before its scope ends.", name);
        }
        using var scope = torch.NewDisposeScope();
        var values = tensor.detach().to(ScalarType.Float32).cpu().contiguous();
        return values.data<float>().ToArray();
    }

    public static long[] Shape(Tensor tensor) => tensor.shape.ToArray();
}
