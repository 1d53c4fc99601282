using System.Collections;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// A re-readable stream of <see cref="TokenChunk"/>s from prompts or a text file. Nothing is read until enumerated
/// and a text file is read line by line, so scans run in memory bounded by one batch whatever the file size.
/// </summary>
/// <remarks>
/// Text files: each line is tokenised (without BOS) followed by a newline token, and lines are packed into chunks
/// of BOS + up to <c>chunkTokens − 1</c> tokens, so a chunk may span several lines (each id keeps its line
/// number). Prompts: each prompt is one document, split into several chunks (each with BOS) if it is too long.
/// </remarks>
/// <example>
/// <code>
/// var source = TokenSource.FromTextFile(model, "data/text/genesis.txt");
/// var result = ActivationScan.Run(model, ActivationSite.Neuron(1, 17), source);
/// </code>
/// </example>
public sealed class TokenSource : IEnumerable<TokenChunk>
{
    readonly Func<IEnumerable<TokenChunk>> _chunks;

    TokenSource(Func<IEnumerable<TokenChunk>> chunks, string description)
    {
        _chunks = chunks;
        Description = description;
    }

    /// <summary>Where the tokens come from, for messages.</summary>
    public string Description { get; }

    /// <summary>Prompts, one document each (BOS prepended).</summary>
    public static TokenSource FromPrompts(HookedTransformer model, IEnumerable<string> prompts, int? chunkTokens = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompts);
        var list = prompts.ToList();
        if (list.Count == 0) throw new ArgumentException("Give at least one prompt.", nameof(prompts));
        int size = ChunkSize(model, chunkTokens);
        var tok = Tokenizer(model);
        return new TokenSource(() => PromptChunks(model, tok, list, size), $"{list.Count} prompts");
    }

    /// <summary>A UTF-8 text file, read line by line and packed into chunks of at most <paramref name="chunkTokens"/> (default <c>n_ctx</c>).</summary>
    public static TokenSource FromTextFile(HookedTransformer model, string path, int? chunkTokens = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new ArgumentException($"The text file '{path}' does not exist.", nameof(path));
        int size = ChunkSize(model, chunkTokens);
        var tok = Tokenizer(model);
        return new TokenSource(() => FileChunks(model, tok, path, size, 0, long.MaxValue, 1), $"the text file '{path}'");
    }

    /// <summary>
    /// The lines of a UTF-8 text file that start at byte <paramref name="start"/> (a line start) and before byte
    /// <paramref name="end"/>, packed as <see cref="FromTextFile"/> packs a whole file; <paramref name="firstLine"/> is
    /// the 1-based number of the line at <paramref name="start"/>, so examples report lines of the whole file.
    /// </summary>
    public static TokenSource FromTextRange(HookedTransformer model, string path, long start, long end, int firstLine, int? chunkTokens = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new ArgumentException($"The text file '{path}' does not exist.", nameof(path));
        if (start < 0 || end < start) throw new ArgumentException($"The byte range [{start}, {end}) is empty or negative: give 0 <= start <= end.", nameof(start));
        if (firstLine < 1) throw new ArgumentException($"firstLine is 1-based, got {firstLine}.", nameof(firstLine));
        int size = ChunkSize(model, chunkTokens);
        var tok = Tokenizer(model);
        return new TokenSource(() => FileChunks(model, tok, path, size, start, end, firstLine), $"bytes {start}-{end} of '{path}'");
    }

    /// <summary>
    /// The rows of a padded batch, one document each, with their pads left out (so no statistic counts a pad).
    /// </summary>
    /// <example><code>var scan = ActivationScan.Run(model, site, TokenSource.FromTokens(model, model.ToTokens(verses)));</code></example>
    public static TokenSource FromTokens(HookedTransformer model, TokenBatch batch)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batch);
        int? bos = Bos(model);
        var chunks = Enumerable.Range(0, batch.Count).Select(r =>
        {
            var ids = batch.Ids(r);
            return new TokenChunk(ids, r, 0, null, bos is { } b && ids[0] == b);
        }).ToList();
        return new TokenSource(() => chunks, $"a padded batch of {batch.Count} rows");
    }

    /// <summary>Rows of an int64 token tensor <c>[batch, pos]</c>, one document each, used as given (no BOS added or skipped unless the row starts with the model's BOS).</summary>
    public static TokenSource FromTokens(HookedTransformer model, Tensor tokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokens);
        using var cpu = model.PrepareTokens(tokens, 0).cpu();
        long rows = cpu.shape[0], width = cpu.shape[1];
        var flat = cpu.data<long>().ToArray();
        int? bos = Bos(model);
        var chunks = Enumerable.Range(0, (int)rows).Select(r =>
        {
            var ids = flat.Skip((int)(r * width)).Take((int)width).Select(v => (int)v).ToArray();
            return new TokenChunk(ids, r, 0, null, bos is { } b && ids[0] == b);
        }).ToList();
        return new TokenSource(() => chunks, $"a token tensor of {rows} rows");
    }

    /// <summary>Chunks grouped into padded batches <c>[batch, longest]</c> with the chunks they hold.</summary>
    internal IEnumerable<(Tensor Tokens, List<TokenChunk> Chunks)> Batches(HookedTransformer model, int batchSize)
    {
        if (batchSize < 1) throw new ArgumentException($"batchSize must be at least 1, got {batchSize}.", nameof(batchSize));
        var pending = new List<TokenChunk>(batchSize);
        foreach (var chunk in this)
        {
            pending.Add(chunk);
            if (pending.Count == batchSize)
            {
                yield return (Pad(model, pending), pending);
                pending = new List<TokenChunk>(batchSize);
            }
        }
        if (pending.Count > 0) yield return (Pad(model, pending), pending);
    }

    /// <inheritdoc />
    public IEnumerator<TokenChunk> GetEnumerator() => _chunks().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => $"TokenSource({Description})";

    static Tensor Pad(HookedTransformer model, List<TokenChunk> chunks)
    {
        int width = chunks.Max(c => c.Ids.Length);
        var flat = new long[chunks.Count * width];
        for (int r = 0; r < chunks.Count; r++)
            for (int p = 0; p < chunks[r].Ids.Length; p++)
                flat[r * width + p] = chunks[r].Ids[p];
        return OnDevice.Move(tensor(flat, [chunks.Count, width], ScalarType.Int64), model.Device);
    }

    static IEnumerable<TokenChunk> PromptChunks(HookedTransformer model, Tokenization.ModelTokenizer tok, List<string> prompts, int size)
    {
        int? bos = Bos(model);
        int room = bos is null ? size : size - 1;
        for (int d = 0; d < prompts.Count; d++)
        {
            var ids = tok.Encode(prompts[d], prependBos: false);
            if (ids.Length == 0 && bos is not null) { yield return new TokenChunk([bos.Value], d, 0, null, true); continue; }
            for (int start = 0; start < ids.Length; start += room)
            {
                var piece = ids.Skip(start).Take(room);
                var withBos = bos is { } b ? piece.Prepend(b).ToArray() : piece.ToArray();
                yield return new TokenChunk(withBos, d, start, null, bos is not null);
            }
        }
    }

    static IEnumerable<TokenChunk> FileChunks(HookedTransformer model, Tokenization.ModelTokenizer tok, string path, int size, long start, long end, int firstLine)
    {
        int? bos = Bos(model);
        int room = bos is null ? size : size - 1;
        var newline = tok.Encode("\n", prependBos: false);
        var ids = new List<int>(size);
        var lines = new List<int>(size);
        long document = 0;
        int offset = 0, lineNumber = firstLine - 1;
        foreach (var line in LinesBetween(path, start, end))
        {
            lineNumber++;
            foreach (int id in tok.Encode(line, prependBos: false).Concat(newline))
            {
                ids.Add(id);
                lines.Add(lineNumber);
                if (ids.Count == room)
                {
                    yield return Emit();
                }
            }
        }
        if (ids.Count > 0) yield return Emit();

        TokenChunk Emit()
        {
            var chunk = bos is { } b
                ? new TokenChunk([b, .. ids], document, offset, [lines[0], .. lines], true, path)
                : new TokenChunk([.. ids], document, offset, [.. lines], false, path);
            offset += ids.Count;
            document++;
            ids.Clear();
            lines.Clear();
            return chunk;
        }
    }

    // Lines of a file from a byte offset at a line start to the first line start at or after end.
    static IEnumerable<string> LinesBetween(string path, long start, long end)
    {
        if (start == 0 && end == long.MaxValue)
        {
            foreach (var line in File.ReadLines(path)) yield return line;
            yield break;
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        stream.Position = start;
        if (start == 0 && stream.ReadByte() == 0xEF && stream.ReadByte() == 0xBB && stream.ReadByte() == 0xBF) start = 3;
        stream.Position = start;
        var bytes = new List<byte>(256);
        long at = stream.Position;
        int b;
        while (at < end && (b = stream.ReadByte()) >= 0)
        {
            at++;
            if (b == '\n')
            {
                yield return Line(bytes);
                bytes.Clear();
            }
            else bytes.Add((byte)b);
        }
        if (bytes.Count > 0) yield return Line(bytes);

        static string Line(List<byte> bytes)
        {
            int n = bytes.Count > 0 && bytes[^1] == '\r' ? bytes.Count - 1 : bytes.Count;
            return System.Text.Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes)[..n]);
        }
    }

    static int ChunkSize(HookedTransformer model, int? chunkTokens)
    {
        int size = chunkTokens ?? model.Config.NCtx;
        if (size < 2 || size > model.Config.NCtx)
            throw new ArgumentException($"chunkTokens must be 2 to {model.Config.NCtx} (the model's n_ctx), got {size}.", nameof(chunkTokens));
        return size;
    }

    static Tokenization.ModelTokenizer Tokenizer(HookedTransformer model) => model.Tokenizer ?? throw new ArgumentException(
        "This model has no tokenizer, so text cannot be tokenised: use TokenSource.FromTokens with token ids instead.", nameof(model));

    internal static int? Bos(HookedTransformer model) => model.Tokenizer?.BosTokenId ?? model.Config.BosTokenId;
}
