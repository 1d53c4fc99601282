using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Core;

/// <summary>
/// The fused attention kernel (used when no hook reads the scores or the pattern) against the materialised pattern,
/// for grouped-query attention, a sliding window and padded batches.
/// </summary>
public class FusedAttentionTests
{
    [Theory]
    [InlineData("tiny-mistral")] // grouped-query attention
    [InlineData("tiny-qwen2")]   // grouped-query attention
    [InlineData("tiny-gemma3")]  // sliding window of 8 on some layers, query_pre_attn_scalar scale
    [InlineData("tiny-gpt-neo")] // local attention, unscaled scores
    public void The_fused_path_equals_the_materialised_pattern(string name)
    {
        using var model = HookedTransformer.FromPretrained(TestPaths.Fixture($"hf-reference/{name}"), "cpu", null, processWeights: false);
        using var scope = NewDisposeScope();
        var ids = new[] { Ids(12, 3), Ids(7, 11) };
        var tokens = tensor(ids[0].Select(i => (long)i).ToArray()).unsqueeze(0); // [1, 12]: longer than the window
        AssertSame(model, () => model.Forward(tokens));
        foreach (var side in new[] { PaddingSide.Left, PaddingSide.Right })
        {
            using var batch = TokenBatch.FromIds(ids, 0, side);
            AssertSame(model, () => model.Forward(batch));
        }
    }

    static int[] Ids(int n, int start) => Enumerable.Range(0, n).Select(i => 1 + (start + 7 * i) % 60).ToArray();

    static void AssertSame(HookedTransformer model, Func<Tensor> forward)
    {
        var fused = forward();
        Tensor materialised;
        using (model.Hooks(n => n.EndsWith("hook_pattern", StringComparison.Ordinal), (a, _) => a))
            materialised = forward();
        double max = (fused - materialised).abs().max().item<float>();
        Assert.True(max <= 1e-5, $"fused and materialised logits differ by {max}");
    }
}
