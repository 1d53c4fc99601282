using static TorchSharp.torch;

namespace InterpKernel.Loading;

/// <summary>Named tensors of a checkpoint, loaded on demand in the dtype and on the device asked for.</summary>
internal interface ITensorSource
{
    /// <summary>Names the checkpoint in error messages (its folder or file).</summary>
    string Description { get; }

    bool Contains(string name);

    Tensor Load(string name, ScalarType dtype, Device device);
}
