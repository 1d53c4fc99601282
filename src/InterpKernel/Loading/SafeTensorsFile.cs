using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Loading;

/// <summary>
/// A read-only view of one <c>.safetensors</c> file: its validated header, its metadata and on-demand loading of
/// single tensors. The file stays open (shared for reading) until <see cref="Dispose"/>; each
/// <see cref="Load(string, ScalarType?, Device?)"/> reads only that tensor's bytes, straight into the new tensor's storage.
/// Opened with <c>memoryMap: true</c>, the file is instead mapped into memory copy-on-write and tensors are views of
/// the mapping (see <see cref="Open(string, bool)"/>).
/// </summary>
/// <remarks>
/// The safetensors format stores numbers little-endian; this reader runs on little-endian machines only
/// (x64 and ARM64, i.e. every platform TorchSharp supports) and refuses to open files elsewhere.
/// </remarks>
/// <example>
/// <code>
/// using var file = SafeTensorsFile.Open("models/kjv-gpt2-2l/model.safetensors");
/// using var wte = file.Load("transformer.wte.weight", torch.float32);   // [50257, 128], stored as F16
/// </code>
/// </example>
public sealed class SafeTensorsFile : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly long _dataStart;
    // One flat mapping of the whole file per stored dtype that has an aligned tensor; empty when not mapped.
    private readonly Dictionary<SafeTensorsDType, Tensor> _mappings = [];

    private SafeTensorsFile(string path, SafeFileHandle handle, SafeTensorsHeader header)
    {
        FilePath = path;
        _handle = handle;
        _dataStart = header.DataStart;
        Tensors = header.Tensors;
        Metadata = header.Metadata;
    }

    /// <summary>
    /// Opens a safetensors file and validates its whole header (lengths, JSON, every entry, that spans fit the
    /// data section and do not overlap) before any tensor is read.
    /// </summary>
    /// <param name="path">Path to the <c>.safetensors</c> file.</param>
    /// <returns>The open file; dispose it to close the file handle.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">No file exists at <paramref name="path"/>.</exception>
    /// <exception cref="SafeTensorsFormatException">The file is not a valid safetensors file.</exception>
    /// <exception cref="PlatformNotSupportedException">The machine is big-endian.</exception>
    public static SafeTensorsFile Open(string path) => Open(path, memoryMap: false);

    /// <summary>
    /// Opens and validates a safetensors file as <see cref="Open(string)"/> does; with <paramref name="memoryMap"/>,
    /// also maps the file into memory privately (copy-on-write), so that <see cref="Load(string, ScalarType?, Device?)"/>
    /// returns views of the file's pages instead of reading copies: nothing is read until a value is used, and pages
    /// are shared with the operating system's file cache.
    /// </summary>
    /// <remarks>
    /// <para>Writing to a mapped tensor changes this process's copy of those pages only, never the file. Tensors
    /// loaded from one open file share that copy: loading the same tensor twice gives two views of the same memory, so
    /// an edit through one shows through the other (open the file again for an untouched view). A tensor converted to
    /// another dtype or moved to another device is a copy as usual.</para>
    /// <para>The mapping reads the file as it is on disk: replace a mapped checkpoint by writing a new file and
    /// renaming it over the old one (as <see cref="SafeTensorsWriter"/> and the Hub download do). Overwriting it in
    /// place changes the values of tensors already loaded, and truncating it makes reading them fail.</para>
    /// <para>Mapping needs Linux or macOS and a tensor whose offset in the file is a multiple of its element size
    /// (true of files written by the safetensors library and by <see cref="SafeTensorsWriter"/>); otherwise, or on
    /// Windows, the tensor is read as without mapping. <see cref="IsMapped"/> says which happened.</para>
    /// </remarks>
    /// <param name="path">Path to the <c>.safetensors</c> file.</param>
    /// <param name="memoryMap">Whether to map the file instead of reading tensors.</param>
    /// <returns>The open file; dispose it to close the file handle and release the mapping (tensors already loaded keep
    /// the pages they view).</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">No file exists at <paramref name="path"/>.</exception>
    /// <exception cref="SafeTensorsFormatException">The file is not a valid safetensors file.</exception>
    /// <exception cref="PlatformNotSupportedException">The machine is big-endian.</exception>
    public static SafeTensorsFile Open(string path, bool memoryMap)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException("The safetensors path is empty; pass the path of a .safetensors file.", nameof(path));
        }
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException(
                "Safetensors data is little-endian and this reader does not byte-swap; open the file on a little-endian machine.");
        }
        string fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException(
                Directory.Exists(fullPath)
                    ? $"'{fullPath}' is a folder, not a safetensors file. Pass the .safetensors file inside it, or use CheckpointReader.Open for a checkpoint folder."
                    : $"No safetensors file at '{fullPath}'. Check the path, or download the checkpoint into that place.",
                fullPath);
        }

        var handle = File.OpenHandle(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            var file = new SafeTensorsFile(fullPath, handle, SafeTensorsHeader.Read(fullPath, handle));
            if (memoryMap && MappingSupported)
            {
                file.MapAlignedDTypes(RandomAccess.GetLength(handle));
            }
            return file;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    // libtorch maps files only through mmap; its Windows build maps shared memory, not files.
    internal static bool MappingSupported => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS();

    /// <summary>The full path of the file.</summary>
    public string FilePath { get; }

    /// <summary>Every tensor entry by name; the <c>__metadata__</c> entry is not among them.</summary>
    public IReadOnlyDictionary<string, SafeTensorInfo> Tensors { get; }

    /// <summary>The string pairs of the header's <c>__metadata__</c> object (empty when it has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Whether the file holds a tensor called <paramref name="name"/>.</summary>
    /// <param name="name">A tensor name, e.g. <c>transformer.wte.weight</c>.</param>
    public bool Contains(string name) => name is not null && Tensors.ContainsKey(name);

    /// <summary>
    /// Whether <see cref="Load(string, ScalarType?, Device?)"/> returns a view of the mapped file for this tensor
    /// (before any dtype or device conversion), rather than reading a copy.
    /// </summary>
    /// <param name="name">A tensor name.</param>
    /// <exception cref="KeyNotFoundException">The file has no such tensor; the message lists close names.</exception>
    public bool IsMapped(string name)
    {
        var info = Info(name);
        return _mappings.ContainsKey(info.DType) && IsAligned(info);
    }

    /// <summary>The header entry of one tensor.</summary>
    /// <param name="name">A tensor name.</param>
    /// <exception cref="KeyNotFoundException">The file has no such tensor; the message lists close names.</exception>
    public SafeTensorInfo Info(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Tensors.TryGetValue(name, out var info))
        {
            return info;
        }
        throw new KeyNotFoundException(NameSuggestions.NotFoundMessage(name, $"'{FilePath}'", Tensors.Keys.ToList()));
    }

    /// <summary>
    /// Reads one tensor. It is created in its stored dtype (F16 as Half, BF16 as BFloat16) on the CPU, filled
    /// directly from the file (or, when the file is mapped, viewed in the mapping), and only then converted when
    /// another dtype or device was asked for.
    /// </summary>
    /// <param name="name">A tensor name.</param>
    /// <param name="dtype">The dtype to return; <see langword="null"/> keeps the stored one.</param>
    /// <param name="device">The device to return it on; <see langword="null"/> means the CPU.</param>
    /// <returns>A new tensor the caller owns.</returns>
    /// <exception cref="KeyNotFoundException">The file has no such tensor; the message lists close names.</exception>
    /// <exception cref="ObjectDisposedException">The file was disposed.</exception>
    public Tensor Load(string name, ScalarType? dtype = null, Device? device = null) =>
        Load(name, dtype, device, TensorBytes.DefaultChunkBytes);

    /// <summary>As <see cref="Load(string, ScalarType?, Device?)"/>, reading at most <paramref name="chunkBytes"/> per call.</summary>
    internal Tensor Load(string name, ScalarType? dtype, Device? device, long chunkBytes)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        var info = Info(name);

        using var scope = NewDisposeScope();
        var tensor = MappedView(info);
        if (tensor is null)
        {
            tensor = empty(info.Shape, SafeTensorsDTypes.ToScalarType(info.DType), CPU);
            TensorBytes.ReadFromFile(FilePath, name, _handle, _dataStart + info.Begin, tensor, chunkBytes);
        }
        return Convert(tensor, dtype, device).MoveToOuterDisposeScope();
    }

    private void MapAlignedDTypes(long fileLength)
    {
        foreach (var dtype in Tensors.Values.Where(IsAligned).Select(t => t.DType).Distinct())
        {
            long elementSize = SafeTensorsDTypes.ElementSize(dtype);
            // A flat, private (copy-on-write) mapping of the whole file, viewed as elements of this dtype. Where the
            // file system cannot map files, the tensors are read instead; IsMapped tells.
            Tensor mapping;
            try
            {
                mapping = from_file(FilePath, shared: false, size: fileLength / elementSize, dtype: SafeTensorsDTypes.ToScalarType(dtype));
            }
            catch (ExternalException)
            {
                continue;
            }
            _mappings.Add(dtype, mapping.DetachFromDisposeScope());
        }
    }

    private bool IsAligned(SafeTensorInfo info) => (_dataStart + info.Begin) % SafeTensorsDTypes.ElementSize(info.DType) == 0;

    /// <summary>A view of the tensor in the file's mapping, or <see langword="null"/> when it is read instead.</summary>
    private Tensor? MappedView(SafeTensorInfo info)
    {
        if (!_mappings.TryGetValue(info.DType, out var mapping) || !IsAligned(info))
        {
            return null;
        }
        long elementSize = SafeTensorsDTypes.ElementSize(info.DType);
        using var flat = mapping.narrow(0, (_dataStart + info.Begin) / elementSize, info.ElementCount);
        return flat.view(info.Shape);
    }


    internal static Tensor Convert(Tensor tensor, ScalarType? dtype, Device? device)
    {
        bool changeType = dtype is { } wanted && wanted != tensor.dtype;
        bool changeDevice = device is not null && device.type != DeviceType.CPU;
        return (changeType, changeDevice) switch
        {
            (true, true) => tensor.to(dtype!.Value, device!),
            (true, false) => tensor.to(dtype!.Value),
            (false, true) => tensor.to(device!),
            _ => tensor,
        };
    }

    /// <summary>
    /// Closes the file and releases the mapping. Tensors already loaded stay valid: they own their memory, or keep the
    /// mapped pages they view alive.
    /// </summary>
    public void Dispose()
    {
        foreach (var mapping in _mappings.Values)
        {
            mapping.Dispose();
        }
        _mappings.Clear();
        _handle.Dispose();
    }
}
