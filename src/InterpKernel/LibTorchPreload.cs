using System.Runtime.InteropServices;
using TorchSharp;

namespace InterpKernel;

/// <summary>
/// Loads the CUDA libtorch of a PyTorch installation before TorchSharp loads its own, so that TorchSharp's native layer
/// binds to it. The folder is checked and loaded once; the outcome, a refusal included, is the answer on every call.
/// </summary>
internal sealed class LibTorchPreload(string? folder)
{
    readonly Lock _gate = new();
    bool _done;
    Exception? _failure;

    /// <summary>A note about the libtorch in use (another PyTorch version than TorchSharp's), or <c>null</c>.</summary>
    public string? Warning { get; private set; }

    /// <summary>Checks and loads the folder the first time; throws the same refusal on every call when it cannot serve.</summary>
    public void Ensure()
    {
        lock (_gate)
        {
            if (!_done)
            {
                _done = true;
                try
                {
                    Load();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    _failure = e is InvalidOperationException ? e : new InvalidOperationException(
                        $"The libtorch named by {Devices.LibTorchVariable} ('{folder}') could not be loaded: {e.Message}", e);
                }
            }
            if (_failure is not null) throw new InvalidOperationException(_failure.Message, _failure);
        }
    }

    void Load()
    {
        if (string.IsNullOrWhiteSpace(folder)) return;
        Warning = LibTorchCompatibility.Check(folder, LibTorchCompatibility.FindTorchSharpNative());
        if (Warning is not null) Console.Error.WriteLine("warning: " + Warning);
        foreach (var lib in LibTorchCompatibility.Libraries)
        {
            string path = Path.Combine(folder, lib);
            if (File.Exists(path)) NativeLibrary.Load(path);
        }
        torch.InitializeDeviceType(DeviceType.CUDA);
    }
}
