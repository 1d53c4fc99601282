namespace InterpKernel.Tests.Tokenization;

/// <summary>
/// A byte-level BPE vocabulary small enough to write in a test: the 256 byte symbols (ids 0..255, in byte order)
/// plus a few merges that build "hello" and " world".
/// </summary>
internal static class TinyByteLevelVocabulary
{
    /// <summary>Merge rules in priority order; "Ġ" is the byte-level symbol of a space.</summary>
    public static readonly (string Left, string Right)[] Merges =
    [
        ("h", "e"), ("l", "l"), ("he", "ll"), ("hell", "o"), ("Ġ", "w"), ("o", "r"), ("Ġw", "or"), ("3", "4"),
    ];

    public static Dictionary<string, int> Vocabulary()
    {
        var vocab = new Dictionary<string, int>();
        for (var b = 0; b < 256; b++)
        {
            vocab[ByteSymbol((byte)b).ToString()] = b;
        }

        foreach (var (left, right) in Merges)
        {
            vocab[left + right] = vocab.Count;
        }

        return vocab;
    }

    /// <summary>GPT-2's byte-to-character rule, written out independently of the library code under test.</summary>
    public static char ByteSymbol(byte b)
    {
        static bool Printable(int x) => (x >= 0x21 && x <= 0x7E) || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF);
        if (Printable(b))
        {
            return (char)b;
        }

        var shifted = 0;
        for (var x = 0; x < b; x++)
        {
            if (!Printable(x))
            {
                shifted++;
            }
        }

        return (char)(256 + shifted);
    }
}
