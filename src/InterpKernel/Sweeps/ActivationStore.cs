using System.Buffers.Binary;
using System.Text.Json.Nodes;
using InterpKernel.Loading;
using static TorchSharp.torch;

namespace InterpKernel.Sweeps;

/// <summary>
/// Collected activations stored as safetensors files plus an <c>index.json</c> (what a <c>collect-activations</c>
/// sweep writes), read as a stream: rows come file by file, a block at a time, optionally shuffled through a buffer
/// of bounded size, so a store larger than memory trains probes and SAEs.
/// </summary>
/// <example>
/// <code>
/// var store = ActivationStore.Open("out/acts/activations/index.json");
/// foreach (var batch in store.Batches("blocks.1.hook_resid_post", batchSize: 4096, bufferRows: 65536, seed: 0))
///     using (batch) { /* [4096, d_model] float32 */ }
/// </code>
/// </example>
public sealed class ActivationStore
{
    /// <summary>The format tag of <c>index.json</c>.</summary>
    public const string Format = "interpkernel-activation-store/1";

    readonly string _folder;
    readonly List<(string Path, long Rows)> _files;
    readonly Dictionary<string, int> _widths;

    ActivationStore(string folder, List<(string, long)> files, Dictionary<string, int> widths)
    {
        _folder = folder;
        _files = files;
        _widths = widths;
    }

    /// <summary>Opens a store from its <c>index.json</c> (or the folder holding <c>index.json</c>).</summary>
    public static ActivationStore Open(string indexOrFolder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(indexOrFolder);
        string index = Directory.Exists(indexOrFolder) ? Path.Combine(indexOrFolder, "index.json") : indexOrFolder;
        if (!File.Exists(index)) throw new ArgumentException($"No activation store index at '{index}': give the index.json a collect-activations merge wrote.", nameof(indexOrFolder));
        var node = JsonNode.Parse(File.ReadAllText(index))!.AsObject();
        if (node["format"]?.GetValue<string>() != Format) throw new ArgumentException($"'{index}' is not an activation store index ({Format}).", nameof(indexOrFolder));
        var widths = node["hooks"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<int>(), StringComparer.Ordinal);
        var files = node["files"]!.AsArray().Select(f => (f!["path"]!.GetValue<string>(), f["rows"]!.GetValue<long>())).ToList();
        return new ActivationStore(Path.GetDirectoryName(Path.GetFullPath(index))!, files, widths);
    }

    /// <summary>The hooks stored, with their widths.</summary>
    public IReadOnlyDictionary<string, int> Hooks => _widths;

    /// <summary>Rows (tokens) stored.</summary>
    public long Rows => _files.Sum(f => f.Rows);

    /// <summary>Number of safetensors files.</summary>
    public int Files => _files.Count;

    /// <summary>
    /// The rows of <paramref name="hook"/> in batches <c>[batchSize, d]</c> (the last may be smaller), float32 on the CPU;
    /// the caller disposes each. With a <paramref name="seed"/>, files are visited in a random order and rows leave
    /// through a shuffle buffer of <paramref name="bufferRows"/> rows; without one, rows come in stored order.
    /// </summary>
    public IEnumerable<Tensor> Batches(string hook, int batchSize, int bufferRows = 65536, int? seed = 0)
    {
        int width = Width(hook);
        if (batchSize < 1) throw new ArgumentException($"batchSize must be at least 1, got {batchSize}.", nameof(batchSize));
        if (bufferRows < 1) throw new ArgumentException($"bufferRows must be at least 1, got {bufferRows}.", nameof(bufferRows));
        var batch = new List<float[]>(batchSize);
        foreach (var row in seed is { } s ? Shuffled(hook, bufferRows, new Random(s)) : InOrder(hook, Enumerable.Range(0, _files.Count)))
        {
            batch.Add(row);
            if (batch.Count == batchSize) { yield return Stack(batch, width); batch.Clear(); }
        }
        if (batch.Count > 0) yield return Stack(batch, width);
    }

    /// <summary>
    /// The token ids <c>[batchSize]</c> (int64; the last batch may be smaller) of the stored rows, in stored order: the
    /// same rows, in the same order, as <c>Batches(hook, batchSize, seed: null)</c>, so labels computed from them pair
    /// with those batches (for example to fit a probe with <c>LinearProbe.Train</c> on a stream).
    /// </summary>
    public IEnumerable<Tensor> TokenBatches(int batchSize)
    {
        if (batchSize < 1) throw new ArgumentException($"batchSize must be at least 1, got {batchSize}.", nameof(batchSize));
        var batch = new List<long>(batchSize);
        foreach (var (path, rows) in _files)
        {
            string file = Path.Combine(_folder, path);
            using var safetensors = SafeTensorsFile.Open(file);
            var info = safetensors.Info("tokens");
            if (info.DType != SafeTensorsDType.I64 || info.Shape.Length != 1 || info.Shape[0] != rows)
                throw new InvalidOperationException($"'tokens' in {file} is {info}, not I64 [{rows}]: the store is damaged.");
            using var ids = safetensors.Load("tokens");
            foreach (long id in ids.data<long>())
            {
                batch.Add(id);
                if (batch.Count == batchSize) { yield return tensor(batch.ToArray(), ScalarType.Int64); batch.Clear(); }
            }
        }
        if (batch.Count > 0) yield return tensor(batch.ToArray(), ScalarType.Int64);
    }

    /// <summary>The width of <paramref name="hook"/>'s rows.</summary>
    public int Width(string hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return _widths.TryGetValue(hook, out var w) ? w
            : throw new ArgumentException($"'{hook}' is not in the store; it holds {string.Join(", ", _widths.Keys)}.", nameof(hook));
    }

    IEnumerable<float[]> Shuffled(string hook, int bufferRows, Random rng)
    {
        var order = Enumerable.Range(0, _files.Count).ToArray();
        rng.Shuffle(order);
        var buffer = new List<float[]>(bufferRows);
        foreach (var row in InOrder(hook, order))
        {
            if (buffer.Count < bufferRows) { buffer.Add(row); continue; }
            int j = rng.Next(bufferRows);
            yield return buffer[j];
            buffer[j] = row;
        }
        var rest = buffer.ToArray();
        rng.Shuffle(rest);
        foreach (var row in rest) yield return row;
    }

    IEnumerable<float[]> InOrder(string hook, IEnumerable<int> files)
    {
        int width = Width(hook);
        const int block = 1024;
        foreach (int f in files)
        {
            string path = Path.Combine(_folder, _files[f].Path);
            SafeTensorInfo info;
            long dataStart;
            using (var header = SafeTensorsFile.Open(path)) info = header.Info(hook);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            var length = new byte[8];
            stream.ReadExactly(length);
            dataStart = 8 + (long)BinaryPrimitives.ReadUInt64LittleEndian(length);
            if (info.DType != SafeTensorsDType.F32 || info.Shape.Length != 2 || info.Shape[1] != width)
                throw new InvalidOperationException($"'{hook}' in {path} is {info}, not F32 [rows, {width}]: the store is damaged.");
            stream.Position = dataStart + info.Begin;
            var bytes = new byte[block * width * sizeof(float)];
            for (long row = 0; row < info.Shape[0]; row += block)
            {
                int n = (int)Math.Min(block, info.Shape[0] - row);
                stream.ReadExactly(bytes, 0, n * width * sizeof(float));
                for (int r = 0; r < n; r++)
                {
                    var values = new float[width];
                    Buffer.BlockCopy(bytes, r * width * sizeof(float), values, 0, width * sizeof(float));
                    yield return values;
                }
            }
        }
    }

    static Tensor Stack(List<float[]> rows, int width)
    {
        var flat = new float[rows.Count * width];
        for (int i = 0; i < rows.Count; i++) rows[i].CopyTo(flat, i * width);
        return tensor(flat, [rows.Count, width]);
    }
}
