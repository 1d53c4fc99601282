using static TorchSharp.torch;

namespace InterpKernel.Loading;

/// <summary>Adapts a <see cref="CheckpointReader"/> to the converter.</summary>
internal sealed class CheckpointTensorSource(CheckpointReader reader) : ITensorSource
{
    public string Description => reader.Source;

    public bool Contains(string name) => reader.Contains(name);

    public Tensor Load(string name, ScalarType dtype, Device device) => reader.Load(name, dtype, device);
}
