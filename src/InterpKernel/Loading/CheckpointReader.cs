using System.Text.Json;
using static TorchSharp.torch;

namespace InterpKernel.Loading;

/// <summary>
/// Reads the tensors of a checkpoint stored as safetensors, whether one file or Hugging Face shards:
/// a folder holding <c>model.safetensors</c>; a folder holding <c>model.safetensors.index.json</c> whose
/// <c>weight_map</c> maps every tensor name to a shard file beside it; or the path of either file itself.
/// Every file's header is validated when the reader opens; tensors are read only when loaded.
/// </summary>
/// <example>
/// <code>
/// using var checkpoint = CheckpointReader.Open("models/kjv-gpt2-2l");
/// using var wte = checkpoint.Load("transformer.wte.weight", torch.float32);
/// </code>
/// </example>
public sealed class CheckpointReader : IDisposable
{
    /// <summary>The single-file name Hugging Face uses.</summary>
    public const string SingleFileName = "model.safetensors";

    /// <summary>The shard index name Hugging Face uses.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly IReadOnlyList<SafeTensorsFile> _files;
    private readonly Dictionary<string, SafeTensorsFile> _owners;

    private CheckpointReader(string source, IReadOnlyList<SafeTensorsFile> files, Dictionary<string, SafeTensorsFile> owners)
    {
        Source = source;
        _files = files;
        _owners = owners;
    }

    /// <summary>
    /// Opens a checkpoint folder (<c>model.safetensors</c>, else <c>model.safetensors.index.json</c> and its shards),
    /// a single <c>.safetensors</c> file, or an <c>.index.json</c> file.
    /// </summary>
    /// <param name="folderOrFile">A checkpoint folder or file.</param>
    /// <returns>The open reader; dispose it to close the files.</returns>
    /// <exception cref="ArgumentException"><paramref name="folderOrFile"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">The folder, the checkpoint file or a shard is missing; the message names what and where.</exception>
    /// <exception cref="SafeTensorsFormatException">A file or the index is malformed, or the index names a tensor its shard lacks.</exception>
    public static CheckpointReader Open(string folderOrFile) => Open(folderOrFile, memoryMap: false);

    /// <summary>
    /// Opens a checkpoint as <see cref="Open(string)"/> does; with <paramref name="memoryMap"/>, every file is mapped
    /// into memory copy-on-write and loaded tensors view the file's pages instead of holding read copies (see
    /// <see cref="SafeTensorsFile.Open(string, bool)"/> for what that implies).
    /// </summary>
    /// <param name="folderOrFile">A checkpoint folder or file.</param>
    /// <param name="memoryMap">Whether to map the files instead of reading tensors.</param>
    /// <returns>The open reader; dispose it to close the files.</returns>
    /// <exception cref="ArgumentException"><paramref name="folderOrFile"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">The folder, the checkpoint file or a shard is missing; the message names what and where.</exception>
    /// <exception cref="SafeTensorsFormatException">A file or the index is malformed, or the index names a tensor its shard lacks.</exception>
    public static CheckpointReader Open(string folderOrFile, bool memoryMap)
    {
        if (string.IsNullOrWhiteSpace(folderOrFile))
        {
            throw new ArgumentException("The checkpoint path is empty; pass a checkpoint folder or a .safetensors file.", nameof(folderOrFile));
        }
        string fullPath = Path.GetFullPath(folderOrFile);
        if (File.Exists(fullPath))
        {
            return fullPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? OpenSharded(fullPath, memoryMap) : OpenSingle(fullPath, memoryMap);
        }
        if (!Directory.Exists(fullPath))
        {
            throw new FileNotFoundException(
                $"No checkpoint at '{fullPath}': neither a folder nor a file exists there. Check the path, or download the checkpoint into that folder.",
                fullPath);
        }

        string single = Path.Combine(fullPath, SingleFileName);
        if (File.Exists(single))
        {
            return OpenSingle(single, memoryMap);
        }
        string index = Path.Combine(fullPath, IndexFileName);
        if (File.Exists(index))
        {
            return OpenSharded(index, memoryMap);
        }

        var present = Directory.EnumerateFiles(fullPath).Select(Path.GetFileName).Order(StringComparer.Ordinal).Take(20).ToList();
        string found = present.Count == 0 ? "The folder is empty." : $"It holds: {string.Join(", ", present)}.";
        string advice = present.Any(f => f!.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) || f!.EndsWith(".pt", StringComparison.OrdinalIgnoreCase))
            ? " PyTorch pickle weights (.bin/.pt) are not read; convert them to safetensors (e.g. with safetensors' save_file) first."
            : " Put the checkpoint's weights there, or pass the path of a .safetensors file.";
        throw new FileNotFoundException(
            $"No {SingleFileName} and no {IndexFileName} in '{fullPath}'. {found}{advice}",
            single);
    }

    /// <summary>The file or index the checkpoint was opened from (full path).</summary>
    public string Source { get; }

    /// <summary>The safetensors files behind the checkpoint (one, or one per shard), in index order.</summary>
    public IReadOnlyList<string> Files => _files.Select(f => f.FilePath).ToList();

    /// <summary>Every tensor name of the checkpoint.</summary>
    public IReadOnlyCollection<string> Names => _owners.Keys;

    /// <summary>Whether the checkpoint holds a tensor called <paramref name="name"/>.</summary>
    /// <param name="name">A tensor name, e.g. <c>transformer.h.0.attn.c_attn.weight</c>.</param>
    public bool Contains(string name) => name is not null && _owners.ContainsKey(name);

    /// <summary>The header entry of one tensor (dtype, shape, offsets within its file).</summary>
    /// <param name="name">A tensor name.</param>
    /// <exception cref="KeyNotFoundException">No such tensor; the message lists close names.</exception>
    public SafeTensorInfo Info(string name) => Owner(name).Info(name);

    /// <summary>The file that holds one tensor.</summary>
    /// <param name="name">A tensor name.</param>
    /// <exception cref="KeyNotFoundException">No such tensor; the message lists close names.</exception>
    public string FileOf(string name) => Owner(name).FilePath;

    /// <summary>Whether loading this tensor views the mapped file rather than reading a copy (see <see cref="Open(string, bool)"/>).</summary>
    /// <param name="name">A tensor name.</param>
    /// <exception cref="KeyNotFoundException">No such tensor; the message lists close names.</exception>
    public bool IsMapped(string name) => Owner(name).IsMapped(name);

    /// <summary>
    /// Reads one tensor in its stored dtype, then converts it to <paramref name="dtype"/> and moves it to
    /// <paramref name="device"/> when those are given and differ.
    /// </summary>
    /// <param name="name">A tensor name.</param>
    /// <param name="dtype">The dtype to return; <see langword="null"/> keeps the stored one.</param>
    /// <param name="device">The device to return it on; <see langword="null"/> means the CPU.</param>
    /// <returns>A new tensor the caller owns.</returns>
    /// <exception cref="KeyNotFoundException">No such tensor; the message lists close names.</exception>
    public Tensor Load(string name, ScalarType? dtype = null, Device? device = null) => Owner(name).Load(name, dtype, device);

    /// <summary>Closes every file of the checkpoint.</summary>
    public void Dispose()
    {
        foreach (var file in _files)
        {
            file.Dispose();
        }
    }

    private SafeTensorsFile Owner(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_owners.TryGetValue(name, out var file))
        {
            return file;
        }
        throw new KeyNotFoundException(NameSuggestions.NotFoundMessage(name, $"the checkpoint '{Source}'", _owners.Keys));
    }

    private static CheckpointReader OpenSingle(string path, bool memoryMap)
    {
        var file = SafeTensorsFile.Open(path, memoryMap);
        var owners = file.Tensors.Keys.ToDictionary(name => name, _ => file, StringComparer.Ordinal);
        return new CheckpointReader(path, [file], owners);
    }

    private static CheckpointReader OpenSharded(string indexPath, bool memoryMap)
    {
        var weightMap = ReadWeightMap(indexPath);
        string folder = Path.GetDirectoryName(indexPath)!;

        // Every shard must be present before any is opened, so one message can list all that are missing.
        var shardNames = weightMap.Values.Distinct(StringComparer.Ordinal).ToList();
        var missing = shardNames.Where(shard => !File.Exists(Path.Combine(folder, shard))).ToList();
        if (missing.Count > 0)
        {
            string list = string.Join(", ", missing.Select(m => $"'{m}' ({weightMap.Values.Count(v => v == m)} tensors)"));
            throw new FileNotFoundException(
                $"The checkpoint index '{indexPath}' names shard files missing from '{folder}': {list}. " +
                "Download the missing shards into that folder (an interrupted download often leaves some out).",
                Path.Combine(folder, missing[0]));
        }

        var files = new List<SafeTensorsFile>();
        try
        {
            var byShard = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
            foreach (var shard in shardNames)
            {
                var file = SafeTensorsFile.Open(Path.Combine(folder, shard), memoryMap);
                files.Add(file);
                byShard.Add(shard, file);
            }

            var owners = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
            foreach (var (name, shard) in weightMap)
            {
                var file = byShard[shard];
                if (!file.Contains(name))
                {
                    throw new SafeTensorsFormatException(indexPath, name,
                        $"the index maps it to '{shard}', which has no such tensor. The index and the shards come from different " +
                        "checkpoints or a shard is stale; download the checkpoint again.");
                }
                owners.Add(name, file);
            }
            return new CheckpointReader(indexPath, files, owners);
        }
        catch
        {
            foreach (var file in files)
            {
                file.Dispose();
            }
            throw;
        }
    }

    private static Dictionary<string, string> ReadWeightMap(string indexPath)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(indexPath));
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException(indexPath, null,
                $"the checkpoint index is not valid JSON ({e.Message}). Download it again.", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("weight_map", out var map)
                || map.ValueKind != JsonValueKind.Object)
            {
                throw new SafeTensorsFormatException(indexPath, null,
                    "the checkpoint index has no \"weight_map\" object mapping tensor names to shard files. Download it again.");
            }

            var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String || !IsPlainFileName(entry.Value.GetString()!))
                {
                    throw new SafeTensorsFormatException(indexPath, entry.Name,
                        $"\"weight_map\" maps it to {entry.Value.GetRawText()}, but it must map to the name of a shard file in the index's folder.");
                }
                if (!weightMap.TryAdd(entry.Name, entry.Value.GetString()!))
                {
                    throw new SafeTensorsFormatException(indexPath, entry.Name,
                        "\"weight_map\" lists this tensor twice. Download the index again.");
                }
            }
            return weightMap;
        }
    }

    // Shards live beside their index; a path that leaves the folder is a broken or hostile index.
    private static bool IsPlainFileName(string shard) =>
        shard.Length > 0 && shard == Path.GetFileName(shard) && shard != "." && shard != "..";
}
