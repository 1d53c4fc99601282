using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>Moves a freshly made tensor to a device without leaving the original behind when a copy was needed.</summary>
internal static class OnDevice
{
    public static Tensor Move(Tensor fresh, Device device)
    {
        var moved = fresh.to(device);
        if (!ReferenceEquals(moved, fresh) && moved.Handle != fresh.Handle) fresh.Dispose();
        return moved;
    }
}
