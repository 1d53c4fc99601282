using InterpKernel.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Batching;

/// <summary>Path patching over padded batches gives the mean of what each pair of prompts gives alone.</summary>
public class PaddedPathPatchingTests(PaddingModels models) : IClassFixture<PaddingModels>
{
    public static TheoryData<PaddingSide, bool> Cases => new()
    {
        { PaddingSide.Left, false }, { PaddingSide.Right, false }, { PaddingSide.Left, true }, { PaddingSide.Right, true },
    };

    static Tensor Row(int[] ids) => tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length], ScalarType.Int64);

    /// <summary>Receivers of each kind: a query and a key input of layer 1, or the final residual stream with MLPs frozen.</summary>
    static PathReceiver[] Receivers(bool residual) => residual ? [PathReceiver.ResidPost(1)] : [PathReceiver.Query(1, 3), PathReceiver.Key(1, 5)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Path_patching_a_padded_batch_averages_what_each_pair_gives_alone(PaddingSide side, bool residual)
    {
        var model = models.Gpt2;
        var prompts = PaddingModels.Prompts(model); // 11, 5 and 17 tokens
        // Each corrupted prompt differs from its clean one in its first two tokens.
        var corrupted = prompts.Select(p => p.Select((t, i) => i < 2 ? (t % 200) + 7 : t).ToArray()).ToArray();
        using var clean = TokenBatch.FromIds(prompts, model.PadTokenId, side);
        using var corrupt = TokenBatch.FromIds(corrupted, model.PadTokenId, side);
        Func<Tensor, Tensor> metric = logits => logits.select(1, -1)[.., 7] - logits.select(1, -1)[.., 9] + logits.select(1, -2)[.., 11]; // [batch]
        var receivers = Receivers(residual);
        using var batched = PathPatching.Sweep(model, clean, corrupt, metric, receivers, freezeMlps: residual, new PatchingOptions { ChunkSize = 5 });
        using var expected = zeros(model.Config.NLayers, model.Config.NHeads);
        for (int r = 0; r < prompts.Length; r++)
        {
            using var c = Row(prompts[r]);
            using var x = Row(corrupted[r]);
            using var alone = PathPatching.Sweep(model, c, x, metric, receivers, freezeMlps: residual);
            expected.add_(alone / prompts.Length);
        }
        float diff = (batched - expected).abs().max().item<float>();
        Assert.True(diff <= 1e-4f, $"{side}: path patching a padded batch differs from the prompts alone by {diff}");
        // The sweep is not trivially constant: some sender moves the metric.
        Assert.True((expected - expected[-1, -1]).abs().max().item<float>() > 1e-3f);

        double single = PathPatching.Single(model, clean, corrupt, metric, 0, 2, receivers, freezeMlps: residual);
        Assert.True(Math.Abs(single - expected[0, 2].item<float>()) <= 1e-4, $"{side}: one sender gives {single}, alone {expected[0, 2].item<float>()}");
    }

    [Fact]
    public void Padded_path_patching_refuses_batches_padded_differently()
    {
        var model = models.Gpt2;
        using var a = TokenBatch.FromIds([[1, 2, 3], [4, 5]], model.PadTokenId, PaddingSide.Left);
        using var b = TokenBatch.FromIds([[1, 2], [4, 5, 6]], model.PadTokenId, PaddingSide.Left);
        Assert.Throws<ArgumentException>(() => PathPatching.Sweep(model, a, b, l => l.select(1, -1)[.., 0], [PathReceiver.Query(1, 0)]));
    }
}
