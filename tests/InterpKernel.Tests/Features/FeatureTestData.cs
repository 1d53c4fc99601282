using static TorchSharp.torch;

namespace InterpKernel.Tests.Features;

/// <summary>Shared inputs for the feature tests: the small embedded model and prompts with repeated spans.</summary>
internal static class FeatureTestData
{
    public static HookedTransformer Model() => HookedTransformer.FromPretrained(TestPaths.Models("kjv-gpt2-2l"));

    /// <summary>Offset into the second segment from which a repeated span counts: the model needs about three matched tokens to lock on.</summary>
    public const int MinMatched = 3;

    /// <summary>
    /// Pairs of equally laid-out sequences, BOS, a short random prefix, a random span A, then a second segment as long
    /// as A: in even-numbered sequences it is A again (label 1), in odd ones fresh tokens (label 0). Only positions of
    /// the second segment at offset <see cref="MinMatched"/> or later are labelled, so both classes sit at the same
    /// positions in the same proportions and position cannot give the answer. Tokens are drawn without replacement
    /// within a sequence, so a positive row repeats exactly one earlier span and a negative row repeats nothing.
    /// </summary>
    public static (List<IReadOnlyList<int>> Sequences, Func<int, int, float?> Label) RepeatedSpans(HookedTransformer model, int count, int seed)
    {
        var rng = new Random(seed);
        // Ordinary word tokens from the model's own corpus, so the spans look like text it knows.
        var words = File.ReadLines(Path.Combine(TestPaths.RepoRoot, "data", "text", "genesis.txt")).Take(200)
            .SelectMany(l => model.Tokenizer!.Encode(l, prependBos: false)).Distinct().Order().ToArray();
        int bos = model.Tokenizer!.BosTokenId!.Value;
        var sequences = new List<IReadOnlyList<int>>();
        var secondStart = new List<int>();
        for (int i = 0; i < count; i++)
        {
            int prefixLength = rng.Next(0, 8), spanLength = rng.Next(10, 20);
            var drawn = words.OrderBy(_ => rng.Next()).Take(prefixLength + 2 * spanLength).ToArray();
            var prefix = drawn[..prefixLength];
            var span = drawn[prefixLength..(prefixLength + spanLength)];
            var second = i % 2 == 0 ? span : drawn[(prefixLength + spanLength)..];
            sequences.Add([bos, .. prefix, .. span, .. second]);
            secondStart.Add(1 + prefixLength + spanLength);
        }
        return (sequences, (i, p) => p < secondStart[i] + MinMatched ? null : i % 2 == 0 ? 1f : 0f);
    }

    public static double Cosine(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var x = a.to(ScalarType.Float64).flatten();
        var y = b.to(ScalarType.Float64).flatten();
        return (x.dot(y) / (x.norm() * y.norm())).item<double>();
    }
}
