using InterpKernel.Analysis;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Batching;

/// <summary>SAE and transcoder evaluation and training over padded batches see the real tokens only.</summary>
public class PaddedSaeTests(PaddingModels models, ITestOutputHelper output) : IClassFixture<PaddingModels>
{
    const string Resid = "blocks.1.hook_resid_pre";
    const string In = "blocks.0.ln2.hook_normalized";
    const string Out = "blocks.0.hook_mlp_out";

    public static TheoryData<PaddingSide, bool> Cases => new()
    {
        { PaddingSide.Left, false }, { PaddingSide.Right, false }, { PaddingSide.Left, true }, { PaddingSide.Right, true },
    };

    /// <summary>Prompts of 11, 5 and 17 tokens; the first starts with BOS, which no statistic counts.</summary>
    static int[][] Prompts(HookedTransformer model)
    {
        var prompts = PaddingModels.Prompts(model);
        prompts[0][0] = model.Tokenizer!.BosTokenId!.Value;
        return prompts;
    }

    static SparseAutoencoder RandomSae(bool transcoder)
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(5);
        var config = transcoder
            ? new SaeConfig(SaeArchitecture.TopK, 128, 256, In) { K = 8, HookNameOut = Out, ApplyBDecToInput = false, HasSkip = true }
            : new SaeConfig(SaeArchitecture.TopK, 128, 256, Resid) { K = 8 };
        return SparseAutoencoder.FromWeights(config, randn([128, 256], generator: gen) * 0.1f, randn([256], generator: gen) * 0.1f,
            randn([256, 128], generator: gen) * 0.1f, randn([128], generator: gen) * 0.1f,
            wSkip: transcoder ? randn([128, 128], generator: gen) * 0.05f : null);
    }

    static Tensor Alone(int[] ids) => tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length], ScalarType.Int64);

    /// <summary>The rows of <paramref name="hook"/> that count, from each prompt run alone: every position but a leading BOS.</summary>
    static Tensor RealRows(HookedTransformer model, int[] ids, string hook)
    {
        var (logits, cache) = model.RunWithCache(Alone(ids), [hook]);
        using (logits)
        using (cache)
        {
            int skip = ids[0] == model.Tokenizer!.BosTokenId ? 1 : 0;
            return cache[hook][0].narrow(0, skip, ids.Length - skip).clone();
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluating_a_padded_batch_equals_evaluating_the_real_positions_of_each_prompt_alone(PaddingSide side, bool transcoder)
    {
        var model = models.Gpt2;
        var prompts = Prompts(model);
        using var sae = RandomSae(transcoder);
        using var batch = TokenBatch.FromIds(prompts, model.PadTokenId, side);
        var padded = SaeEvaluator.Evaluate(model, sae, batch, batchSize: 2);
        output.WriteLine(padded.ToString());

        // The same statistics by hand, over each prompt run alone.
        using var scope = NewDisposeScope();
        var x = cat(prompts.Select(p => RealRows(model, p, sae.Config.HookName)).ToArray(), 0);
        var y = cat(prompts.Select(p => RealRows(model, p, sae.Config.OutputHookName)).ToArray(), 0).to(ScalarType.Float64);
        var acts = sae.Encode(x);
        var recon = sae.forward(x).to(ScalarType.Float64);
        double sqErr = (y - recon).pow(2).sum().item<double>();
        double total = (y - y.mean([0])).pow(2).sum().item<double>();
        long n = x.shape[0];
        double Loss(Func<IDisposable> edit) => prompts.Sum(p =>
        {
            using (edit()) return model.Loss(Alone(p), perToken: true).to(ScalarType.Float64).sum().item<double>();
        }) / prompts.Sum(p => p.Length - 1);
        double clean = Loss(() => new Nothing());
        double withSae = Loss(() => model.WithSae(sae));
        double zero = Loss(() => model.Hooks((sae.Config.OutputHookName, (a, _) => zeros_like(a))));

        Assert.Equal(prompts.Sum(p => p.Length) - 1, padded.Tokens);
        Assert.Equal(n, padded.Tokens);
        void Near(double expected, double actual, string what) =>
            Assert.True(Math.Abs(expected - actual) <= 1e-4, $"{side} {(transcoder ? "transcoder" : "SAE")}: {what} {actual} alone vs {expected}");
        Near(sqErr / (n * 128.0), padded.Mse, "MSE");
        Near(1 - sqErr / total, padded.ExplainedVariance, "explained variance");
        Near(acts.gt(0).sum().item<long>() / (double)n, padded.L0, "L0");
        Assert.Equal((int)acts.gt(0).sum([0]).eq(0).sum().item<long>(), padded.DeadFeatures);
        Near(clean, padded.CeLossClean, "clean loss");
        Near(withSae, padded.CeLossWithSae, "spliced loss");
        Near(zero, padded.CeLossZeroAblated, "zero-ablated loss");
        Near((zero - withSae) / (zero - clean), padded.CeLossRecovered, "loss recovered");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Training_rows_of_a_padded_batch_are_the_real_activations_of_each_prompt_alone(PaddingSide side, bool transcoder)
    {
        var model = models.Gpt2;
        var prompts = Prompts(model);
        string[] hooks = transcoder ? [In, Out] : [Resid];
        using var batch = TokenBatch.FromIds(prompts, model.PadTokenId, side);
        using var rows = SaeTrainer.RealActivations(model, hooks, batch, rowsPerForward: 2);
        using var scope = NewDisposeScope();
        var expected = cat(prompts.Select(p => cat(hooks.Select(h => RealRows(model, p, h)).ToArray(), 1)).ToArray(), 0);
        Assert.Equal(expected.shape, rows.shape);
        float diff = (rows - expected).abs().max().item<float>();
        Assert.True(diff <= 1e-4f, $"{side}: training rows differ from the prompts' own activations by {diff}");
    }

    [Fact]
    public void Training_on_a_left_or_right_padded_batch_gives_the_same_sae_from_the_real_tokens_only()
    {
        var model = models.Gpt2;
        var prompts = Prompts(model);
        var options = new SaeTrainingOptions { DSae = 256, K = 8, BatchTokens = 16, Steps = 12, Seed = 3 };
        using var left = TokenBatch.FromIds(prompts, model.PadTokenId, PaddingSide.Left);
        using var right = TokenBatch.FromIds(prompts, model.PadTokenId, PaddingSide.Right);
        var (a, reportA) = SaeTrainer.Train(model, Resid, left, options);
        var (b, reportB) = SaeTrainer.Train(model, Resid, right, options);
        using (a)
        using (b)
        {
            output.WriteLine(reportA.ToString());
            Assert.Equal(12 * 16, reportA.Tokens);
            Assert.Equal(prompts.Sum(p => p.Length) - 1, reportA.Evaluation.Tokens);
            foreach (var (wa, wb) in new[] { (a.WEnc, b.WEnc), (a.BEnc, b.BEnc), (a.WDec, b.WDec), (a.BDec, b.BDec) })
            {
                float diff = (wa - wb).abs().max().item<float>();
                Assert.True(diff <= 1e-4f, $"left- and right-padded training differ by {diff}");
            }
        }
    }

    sealed class Nothing : IDisposable
    {
        public void Dispose() { }
    }
}
