using Microsoft.ML.Tokenizers;

namespace InterpKernel.Tokenization;

/// <summary>
/// A chain of simple text rewrites (Unicode normalization forms, a leading space) as a tokenizer normalizer, for the
/// normalizers tokenizer.json files ask for that the library has no class for.
/// </summary>
internal sealed class TextNormalizer(IReadOnlyList<Func<string, string>> steps) : Normalizer
{
    public override string Normalize(string original)
    {
        var text = original ?? string.Empty;
        foreach (var step in steps)
        {
            text = step(text);
        }

        return text;
    }

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());
}
