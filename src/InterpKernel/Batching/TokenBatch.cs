using static TorchSharp.torch;

namespace InterpKernel;

/// <summary>
/// Prompts of different lengths padded into one batch: <see cref="Tokens"/> <c>[batch, pos]</c> and
/// <see cref="AttentionMask"/> <c>[batch, pos]</c> (int64, 1 for a real token, 0 for a pad). Models never attend to
/// pads, and positions count real tokens only, so each row computes what its prompt computes alone. Owns its tensors.
/// </summary>
/// <example>
/// <code>
/// using var batch = model.ToTokens(["In the beginning", "And God said, Let there be light"], PaddingSide.Left);
/// using var logits = model.Forward(batch);
/// using var last = batch.LastRealToken(logits); // [batch, d_vocab]
/// </code>
/// </example>
public sealed class TokenBatch : IDisposable
{
    readonly int[] _lengths;

    TokenBatch(Tensor tokens, Tensor mask, int[] lengths, PaddingSide side)
    {
        Tokens = tokens;
        AttentionMask = mask;
        _lengths = lengths;
        Padding = side;
    }

    /// <summary>Token ids <c>[batch, pos]</c> (int64), pads included.</summary>
    public Tensor Tokens { get; }

    /// <summary><c>[batch, pos]</c> int64: 1 where <see cref="Tokens"/> holds a real token, 0 where it holds a pad.</summary>
    public Tensor AttentionMask { get; }

    /// <summary>Which side the pads are on.</summary>
    public PaddingSide Padding { get; }

    /// <summary>The number of real tokens of each row.</summary>
    public IReadOnlyList<int> Lengths => _lengths;

    /// <summary>The number of rows.</summary>
    public int Count => _lengths.Length;

    /// <summary>The padded length (<c>pos</c>).</summary>
    public int Width => (int)Tokens.shape[1];

    /// <summary>The position (column) of row <paramref name="row"/>'s last real token.</summary>
    public int LastIndex(int row) => Padding == PaddingSide.Left ? Width - 1 : _lengths[row] - 1;

    /// <summary>The column of row <paramref name="row"/>'s first real token.</summary>
    public int FirstIndex(int row) => Padding == PaddingSide.Left ? Width - _lengths[row] : 0;

    /// <summary>
    /// Pads id lists into a batch on <paramref name="device"/> with <paramref name="padId"/>. Every list needs at
    /// least one id.
    /// </summary>
    public static TokenBatch FromIds(IReadOnlyList<IReadOnlyList<int>> ids, long padId, PaddingSide padding = PaddingSide.Right, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0) throw new ArgumentException("Give at least one prompt.", nameof(ids));
        int[] lengths = ids.Select(i => i?.Count ?? 0).ToArray();
        int empty = Array.IndexOf(lengths, 0);
        if (empty >= 0) throw new ArgumentException($"Prompt {empty} has no tokens: give every prompt at least one token.", nameof(ids));
        int width = lengths.Max();
        var flat = new long[ids.Count * width];
        var mask = new long[ids.Count * width];
        for (int b = 0; b < ids.Count; b++)
        {
            int start = padding == PaddingSide.Left ? width - lengths[b] : 0;
            for (int p = 0; p < width; p++)
            {
                int i = p - start;
                bool real = i >= 0 && i < lengths[b];
                flat[b * width + p] = real ? ids[b][i] : padId;
                mask[b * width + p] = real ? 1 : 0;
            }
        }
        var dev = device ?? CPU;
        using var t = tensor(flat, [ids.Count, width], ScalarType.Int64);
        using var m = tensor(mask, [ids.Count, width], ScalarType.Int64);
        return new TokenBatch(t.to(dev, copy: true), m.to(dev, copy: true), lengths, padding);
    }

    /// <summary>The real token ids of row <paramref name="row"/>, pads left out.</summary>
    public int[] Ids(int row)
    {
        if (row < 0 || row >= Count)
            throw new ArgumentOutOfRangeException(nameof(row), row, $"row {row} does not exist: the batch has {Count} rows (0 to {Count - 1}).");
        using var scope = NewDisposeScope();
        var r = Tokens[row].narrow(0, FirstIndex(row), _lengths[row]).cpu();
        return r.data<long>().Select(v => (int)v).ToArray();
    }

    /// <summary>
    /// The values at each row's last real token: <c>[batch, pos, ...]</c> → <c>[batch, ...]</c> (e.g. logits →
    /// <c>[batch, d_vocab]</c>).
    /// </summary>
    public Tensor LastRealToken(Tensor perPosition)
    {
        ArgumentNullException.ThrowIfNull(perPosition);
        if (perPosition.dim() < 2 || perPosition.shape[0] != Count || perPosition.shape[1] != Width)
            throw new ArgumentException(
                $"Expected a tensor [batch {Count}, pos {Width}, ...], got [{string.Join(", ", perPosition.shape)}].", nameof(perPosition));
        using var scope = NewDisposeScope();
        var index = tensor(Enumerable.Range(0, Count).Select(r => (long)LastIndex(r)).ToArray(), ScalarType.Int64).to(perPosition.device);
        var rows = arange(Count, ScalarType.Int64, perPosition.device);
        return perPosition.index([TensorIndex.Tensor(rows), TensorIndex.Tensor(index)]).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The tokens alone, so a batch can go where a tensor of tokens is expected (methods without a
    /// <see cref="TokenBatch"/> overload then see the pads as data).
    /// </summary>
    public static implicit operator Tensor(TokenBatch batch) => batch?.Tokens ?? throw new ArgumentNullException(nameof(batch));

    /// <summary>The tokens alone (<see cref="Tokens"/>).</summary>
    public Tensor ToTensor() => Tokens;

    /// <summary>The mask as booleans <c>[batch, pos]</c> on <paramref name="device"/> (true = real).</summary>
    internal Tensor RealMask(Device device) => AttentionMask.to(device).ne(0);

    /// <inheritdoc />
    public void Dispose()
    {
        Tokens.Dispose();
        AttentionMask.Dispose();
    }
}
