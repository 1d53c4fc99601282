using InterpKernel.Analysis;
using InterpKernel.Loading;
using InterpKernel.Tests.Loading;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Features;

public class SaeTests(ITestOutputHelper output)
{
    const string Hook = "blocks.1.hook_resid_pre";

    static SparseAutoencoder RandomSae(SaeArchitecture architecture, int dSae = 256, int seed = 0)
    {
        using var scope = NewDisposeScope();
        var gen = new Generator((ulong)seed);
        var config = new SaeConfig(architecture, 128, dSae, Hook) { K = architecture == SaeArchitecture.TopK ? 8 : null, ModelName = "kjv-gpt2-2l" };
        return SparseAutoencoder.FromWeights(config, randn([128, dSae], generator: gen) * 0.1f, randn([dSae], generator: gen) * 0.1f,
            randn([dSae, 128], generator: gen) * 0.1f, randn([128], generator: gen), architecture == SaeArchitecture.JumpRelu ? rand([dSae], generator: gen) : null);
    }

    /// <summary>An SAE that reconstructs exactly: features are the positive and negative parts of each coordinate.</summary>
    static SparseAutoencoder IdentitySae()
    {
        using var scope = NewDisposeScope();
        var eye128 = eye(128);
        var config = new SaeConfig(SaeArchitecture.Standard, 128, 256, Hook) { ApplyBDecToInput = false };
        return SparseAutoencoder.FromWeights(config, cat([eye128, -eye128], 1), zeros(256), cat([eye128, -eye128], 0), zeros(128));
    }

    [Theory]
    [InlineData(SaeArchitecture.Standard)]
    [InlineData(SaeArchitecture.TopK)]
    [InlineData(SaeArchitecture.JumpRelu)]
    public void An_sae_round_trips_through_the_saelens_layout(SaeArchitecture architecture)
    {
        using var folder = new TempFolder();
        using var sae = RandomSae(architecture);
        sae.Save(folder.Path);
        Assert.True(File.Exists(folder.File("cfg.json")));
        using (var file = SafeTensorsFile.Open(folder.File("sae_weights.safetensors")))
        {
            Assert.Equal([128L, 256L], file.Info("W_enc").Shape);
            Assert.Equal([256L, 128L], file.Info("W_dec").Shape);
        }
        using var loaded = SparseAutoencoder.Load(folder.Path);
        Assert.Equal(sae.Config, loaded.Config);
        Assert.True(Same(loaded.WEnc, sae.WEnc) && Same(loaded.WDec, sae.WDec));
        Assert.True(Same(loaded.BEnc, sae.BEnc) && Same(loaded.BDec, sae.BDec));
        using var scope = NewDisposeScope();
        var x = randn(4, 128);
        Assert.True(Same(loaded.Encode(x), sae.Encode(x)));
        var acts = sae.Encode(x);
        if (architecture == SaeArchitecture.TopK) Assert.True(acts.gt(0).sum(1).le(8).all().item<bool>());
        if (architecture == SaeArchitecture.JumpRelu)
        {
            Assert.True(Same(loaded.Threshold!, sae.Threshold!));
            var pre = (x - sae.BDec).matmul(sae.WEnc) + sae.BEnc;
            Assert.True(acts.gt(0).eq(pre.gt(sae.Threshold!)).all().item<bool>(), "JumpReLU passes exactly the pre-activations above threshold");
        }
    }

    [Fact]
    public void Bad_or_inconsistent_sae_files_get_errors_that_name_the_problem()
    {
        using var folder = new TempFolder();
        var missing = Assert.Throws<FileNotFoundException>(() => SparseAutoencoder.Load(folder.Path));
        Assert.Contains("cfg.json", missing.Message);
        Assert.Throws<DirectoryNotFoundException>(() => SparseAutoencoder.Load(Path.Combine(folder.Path, "nowhere")));
        var neither = Assert.Throws<DirectoryNotFoundException>(() => SparseAutoencoder.Load("no such/folder/../x"));
        Assert.Contains("not a Hugging Face repo id", neither.Message);

        using (var sae = RandomSae(SaeArchitecture.Standard)) sae.Save(folder.Path);
        string cfg = File.ReadAllText(folder.File("cfg.json"));
        File.WriteAllText(folder.File("cfg.json"), cfg.Replace("\"d_sae\": 256", "\"d_sae\": 300"));
        var shape = Assert.Throws<InvalidDataException>(() => SparseAutoencoder.Load(folder.Path));
        Assert.Contains("W_enc", shape.Message);
        Assert.Contains("[128, 300]", shape.Message);
        File.WriteAllText(folder.File("cfg.json"), cfg.Replace("\"standard\"", "\"gated\""));
        Assert.Contains("gated", Assert.Throws<InvalidDataException>(() => SparseAutoencoder.Load(folder.Path)).Message);
        File.WriteAllText(folder.File("cfg.json"), cfg.Replace("\"standard\"", "\"jumprelu\""));
        Assert.Contains("threshold", Assert.Throws<InvalidDataException>(() => SparseAutoencoder.Load(folder.Path)).Message);
        File.WriteAllText(folder.File("cfg.json"), "{ not json");
        Assert.Contains("not valid JSON", Assert.Throws<InvalidDataException>(() => SparseAutoencoder.Load(folder.Path)).Message);
    }

    [Fact]
    public void Splicing_an_sae_with_its_error_term_leaves_the_logits_unchanged_and_exposes_its_features()
    {
        using var model = FeatureTestData.Model();
        using var sae = RandomSae(SaeArchitecture.TopK);
        using var scope = NewDisposeScope();
        var tokens = model.ToTokens("And Abraham begat Isaac; and Isaac begat Jacob");
        var clean = model.Forward(tokens);
        using (var spliced = model.WithSae(sae, useErrorTerm: true))
        {
            var (logits, cache) = spliced.RunWithCache(tokens);
            using (cache)
            {
                float gap = (logits - clean).abs().max().item<float>();
                Assert.True(gap < 1e-4, $"with the error term the logits moved by {gap:E2}");
                foreach (var suffix in SparseAutoencoder.HookSuffixes) Assert.True(cache.ContainsKey($"{Hook}.{suffix}"), suffix);
                var acts = cache[$"{Hook}.hook_sae_acts_post"];
                Assert.Equal([1L, tokens.shape[1], 256L], acts.shape);
                Assert.True(acts.gt(0).sum(-1).le(8).all().item<bool>());
                Assert.True(cache[$"{Hook}.hook_sae_input"].allclose(cache[$"{Hook}.hook_sae_recons"] + cache[$"{Hook}.hook_sae_error"], rtol: 1e-4, atol: 1e-4));
            }
        }
        using (model.WithSae(sae)) Assert.True((model.Forward(tokens) - clean).abs().max().item<float>() > 1e-2, "without the error term a random SAE changes the logits");
        Assert.True(model.Forward(tokens).allclose(clean), "the SAE is gone after dispose");
        // Editing a feature through its hook point reaches the output even with the error term.
        using (model.WithSae(sae, useErrorTerm: true))
        using (sae.GetHookPoint("hook_sae_acts_post").Add((a, _) => a * 0))
            Assert.True((model.Forward(tokens) - clean).abs().max().item<float>() > 1e-3);
        var wrong = new SaeConfig(SaeArchitecture.Standard, 512, 16, Hook);
        using var wide = SparseAutoencoder.Create(wrong);
        Assert.Contains("128 wide", Assert.Throws<ArgumentException>(() => model.WithSae(wide)).Message);
    }

    [Fact]
    public void A_perfect_sae_evaluates_to_full_explained_variance_and_loss_recovered()
    {
        using var model = FeatureTestData.Model();
        using var sae = IdentitySae();
        var lines = File.ReadLines(Path.Combine(TestPaths.RepoRoot, "data", "text", "exodus.txt")).Take(60);
        var eval = SaeEvaluator.Evaluate(model, sae, lines, contextLength: 32, maxContexts: 8);
        output.WriteLine(eval.ToString());
        Assert.Equal(8 * 31, eval.Tokens);
        Assert.True(eval.ExplainedVariance > 0.9999, $"explained variance {eval.ExplainedVariance}");
        Assert.True(eval.Mse < 1e-8);
        Assert.InRange(eval.CeLossRecovered, 0.999, 1.001);
        Assert.True(eval.CeLossZeroAblated > eval.CeLossClean + 0.5);
        Assert.Equal(128, eval.L0, 1.0);
        // A coordinate that never turns negative on these tokens leaves its negative-part feature dead.
        Assert.InRange(eval.DeadFeatures, 0, 10);
    }

    [Fact]
    public void Training_a_topk_sae_on_streamed_text_reconstructs_most_of_the_variance()
    {
        using var model = FeatureTestData.Model();
        var progress = new List<SaeTrainingProgress>();
        var (sae, report) = SaeTrainer.Train(model, Hook, Path.Combine(TestPaths.RepoRoot, "data", "text", "genesis.txt"),
            new SaeTrainingOptions { DSae = 512, K = 16, Steps = 120, BatchTokens = 512, ContextLength = 32, BufferContexts = 64, EvaluationContexts = 8, ProgressEvery = 40 },
            new SynchronousProgress<SaeTrainingProgress>(progress.Add));
        using (sae)
        {
            output.WriteLine(report.ToString());
            Assert.Equal(3, progress.Count);
            Assert.True(progress[^1].Loss < progress[0].Loss);
            Assert.True(report.Evaluation.ExplainedVariance > 0.6, $"held-out explained variance {report.Evaluation.ExplainedVariance:F3}");
            Assert.True(report.Evaluation.L0 <= 16.0001);
            Assert.False(sae.WEnc.requires_grad);
            Assert.Equal(Hook, sae.Config.HookName);
        }
    }

    [Fact]
    public void Training_a_relu_sae_with_an_l1_penalty_gives_sparse_features()
    {
        using var model = FeatureTestData.Model();
        var (sae, report) = SaeTrainer.Train(model, Hook, () => File.ReadLines(Path.Combine(TestPaths.RepoRoot, "data", "text", "exodus.txt")),
            new SaeTrainingOptions { Architecture = SaeArchitecture.Standard, DSae = 512, Steps = 120, BatchTokens = 512, ContextLength = 32, EvaluationContexts = 8 });
        using (sae)
        {
            output.WriteLine(report.ToString());
            Assert.Equal(SaeArchitecture.Standard, sae.Config.Architecture);
            Assert.True(report.Evaluation.ExplainedVariance > 0.3, $"held-out explained variance {report.Evaluation.ExplainedVariance:F3}");
            Assert.True(report.Evaluation.L0 < 256, $"L0 {report.Evaluation.L0:F1} of 512 features");
        }
    }

    static bool Same(Tensor a, Tensor b) => a.eq(b).all().item<bool>();

    sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
