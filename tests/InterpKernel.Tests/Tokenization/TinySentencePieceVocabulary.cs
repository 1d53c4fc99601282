namespace InterpKernel.Tests.Tokenization;

/// <summary>
/// A Llama-2-shaped SentencePiece BPE vocabulary small enough to write in a test: &lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;, the 256
/// byte-fallback pieces &lt;0x00&gt;..&lt;0xFF&gt; (ids 3..258), single characters, and merges that build "▁hello" and "▁world".
/// </summary>
internal static class TinySentencePieceVocabulary
{
    public const int ByteOffset = 3;

    /// <summary>Merge rules in priority order.</summary>
    public static readonly (string Left, string Right)[] Merges =
    [
        ("▁", "h"), ("l", "l"), ("▁h", "e"), ("▁he", "ll"), ("▁hell", "o"), ("▁", "w"), ("o", "r"), ("▁w", "or"),
        ("l", "d"), ("▁wor", "ld"),
    ];

    public static readonly string[] Characters = ["▁", "h", "e", "l", "o", "w", "r", "d"];

    /// <summary>Pieces in id order.</summary>
    public static List<string> Pieces()
    {
        var pieces = new List<string> { "<unk>", "<s>", "</s>" };
        pieces.AddRange(Enumerable.Range(0, 256).Select(b => $"<0x{b:X2}>"));
        pieces.AddRange(Characters);
        pieces.AddRange(Merges.Select(m => m.Left + m.Right));
        return pieces;
    }

    public static Dictionary<string, int> Vocabulary() =>
        Pieces().Select((piece, id) => (piece, id)).ToDictionary(p => p.piece, p => p.id);
}
