using static TorchSharp.torch;

namespace InterpKernel.Tests.Features;

/// <summary>Shared inputs for the feature tests: the small embedded model and prompts with repeated spans.</summary>
internal static class FeatureTestData
{
    public static HookedTransformer Model() => HookedTransformer.FromPretrained(TestPaths.Models("kjv-gpt2-2l"));

    /// <summary>
    /// Sequences of BOS, a few random ordinary tokens, a span of random tokens, the same span again, and a few more
    /// random tokens, with lengths varied so that position alone does not give the answer. A position is labelled 1
    /// when it lies in the second copy of the span (it repeats an earlier span) and 0 otherwise; BOS is left out.
    /// </summary>
    public static (List<IReadOnlyList<int>> Sequences, Func<int, int, float?> Label) RepeatedSpans(HookedTransformer model, int count, int seed)
    {
        var rng = new Random(seed);
        // Ordinary word tokens from the model's own corpus, so the spans look like text it knows.
        var words = File.ReadLines(Path.Combine(TestPaths.RepoRoot, "data", "text", "genesis.txt")).Take(200)
            .SelectMany(l => model.Tokenizer!.Encode(l, prependBos: false)).Distinct().ToArray();
        int bos = model.Tokenizer!.BosTokenId!.Value;
        var sequences = new List<IReadOnlyList<int>>();
        var secondCopy = new List<(int Start, int End)>();
        int[] Random(int n) => Enumerable.Range(0, n).Select(_ => words[rng.Next(words.Length)]).ToArray();
        for (int i = 0; i < count; i++)
        {
            var prefix = Random(rng.Next(0, 10));
            var span = Random(rng.Next(6, 12));
            var suffix = Random(rng.Next(0, 8));
            sequences.Add([bos, .. prefix, .. span, .. span, .. suffix]);
            int start = 1 + prefix.Length + span.Length;
            secondCopy.Add((start, start + span.Length));
        }
        // The first token of the second copy is only a repeated token, not yet a repeated span: it is left out.
        return (sequences, (i, p) => p == 0 || p == secondCopy[i].Start ? null : p > secondCopy[i].Start && p < secondCopy[i].End ? 1f : 0f);
    }

    public static double Cosine(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var x = a.to(ScalarType.Float64).flatten();
        var y = b.to(ScalarType.Float64).flatten();
        return (x.dot(y) / (x.norm() * y.norm())).item<double>();
    }
}
