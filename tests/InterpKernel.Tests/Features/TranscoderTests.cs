using InterpKernel.Analysis;
using InterpKernel.Loading;
using InterpKernel.Tests.Hub;
using InterpKernel.Tests.Loading;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Features;

public sealed class TranscoderTests : IDisposable
{
    const string In = "blocks.0.ln2.hook_normalized";
    const string Out = "blocks.0.hook_mlp_out";
    readonly HubTestCache _cache = new();

    public void Dispose() => _cache.Dispose();

    static SaeConfig Config(SaeArchitecture architecture = SaeArchitecture.TopK, bool skip = false) =>
        new(architecture, 128, 256, In) { K = architecture == SaeArchitecture.TopK ? 8 : null, HookNameOut = Out, ApplyBDecToInput = false, HasSkip = skip };

    static SparseAutoencoder RandomTranscoder(bool skip = false, int seed = 0)
    {
        using var scope = NewDisposeScope();
        var gen = new Generator((ulong)seed);
        return SparseAutoencoder.FromWeights(Config(skip: skip), randn([128, 256], generator: gen) * 0.1f, randn([256], generator: gen) * 0.1f,
            randn([256, 128], generator: gen) * 0.1f, randn([128], generator: gen) * 0.1f, wSkip: skip ? randn([128, 128], generator: gen) * 0.05f : null);
    }

    [Fact]
    public void A_spliced_transcoder_replaces_the_mlp_output_and_its_error_term_restores_the_original_logits()
    {
        using var model = FeatureTestData.Model();
        using var transcoder = RandomTranscoder(skip: true);
        using var scope = NewDisposeScope();
        var tokens = model.ToTokens("In the beginning God created the heaven and the earth.");
        var clean = model.Forward(tokens);
        float cleanLoss = model.Loss(tokens).item<float>();

        using (var spliced = model.WithSae(transcoder, useErrorTerm: true))
        {
            var (logits, cache) = spliced.RunWithCache(tokens);
            using (cache)
            {
                float gap = (logits - clean).abs().max().item<float>();
                Assert.True(gap < 1e-4, $"with the error term the logits moved by {gap:E2}");
                foreach (var name in transcoder.HookNames) Assert.True(cache.ContainsKey(name), name);
                Assert.Equal([1L, tokens.shape[1], 256L], cache[$"{In}.hook_sae_acts_post"].shape);
                // The input hook point sees the MLP's input, and prediction plus error is the MLP's output.
                Assert.True(cache[$"{In}.hook_sae_input"].allclose(cache[In], rtol: 1e-5, atol: 1e-6));
                Assert.True(cache[Out].allclose(cache[$"{In}.hook_sae_recons"] + cache[$"{In}.hook_sae_error"], rtol: 1e-4, atol: 1e-5));
            }
        }
        using (model.WithSae(transcoder))
            Assert.True(Math.Abs(model.Loss(tokens).item<float>() - cleanLoss) > 1e-3, "without the error term a random transcoder changes the loss");
        Assert.True(model.Forward(tokens).allclose(clean), "both hooks are gone after dispose");

        // A transcoder that predicts nothing (zero decoder, zero bias) is the MLP zero-ablated.
        using var nothing = SparseAutoencoder.FromWeights(Config(), transcoder.WEnc, transcoder.BEnc, zeros(256, 128), zeros(128));
        float spliced0, ablated;
        using (model.WithSae(nothing)) spliced0 = model.Loss(tokens).item<float>();
        using (model.Hooks((Out, (act, _) => zeros_like(act)))) ablated = model.Loss(tokens).item<float>();
        Assert.Equal(ablated, spliced0, 5);
        Assert.True(Math.Abs(spliced0 - cleanLoss) > 0.1, $"loss {spliced0} with the MLP replaced by nothing, {cleanLoss} clean");
        using (var withError = model.WithSae(nothing, useErrorTerm: true))
            Assert.True((withError.Forward(tokens) - clean).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void A_transcoder_must_fit_the_hooks_it_is_spliced_between()
    {
        using var model = FeatureTestData.Model();
        var backwards = new SaeConfig(SaeArchitecture.Standard, 128, 16, "blocks.1.ln2.hook_normalized") { HookNameOut = Out, ApplyBDecToInput = false };
        using (var late = SparseAutoencoder.Create(backwards))
            Assert.Contains("runs after", Assert.Throws<ArgumentException>(() => model.WithSae(late)).Message);
        var wide = new SaeConfig(SaeArchitecture.Standard, 128, 16, In) { HookNameOut = Out, DOut = 64, ApplyBDecToInput = false };
        using (var narrow = SparseAutoencoder.Create(wide))
            Assert.Contains("64-wide", Assert.Throws<ArgumentException>(() => model.WithSae(narrow)).Message);
        Assert.Contains("ApplyBDecToInput", Assert.Throws<ArgumentException>(() => new SaeConfig(SaeArchitecture.Standard, 128, 16, In) { HookNameOut = Out }.Validate()).Message);
        Assert.Contains("HookNameOut", Assert.Throws<ArgumentException>(() => new SaeConfig(SaeArchitecture.Standard, 128, 16, In) { HasSkip = true }.Validate()).Message);
    }

    [Fact]
    public void A_skip_transcoder_round_trips_through_the_saelens_layout()
    {
        using var transcoder = RandomTranscoder(skip: true, seed: 3);
        using var folder = new TempFolder();
        transcoder.Save(folder.Path);
        using var loaded = SparseAutoencoder.Load(folder.Path);
        Assert.Equal(transcoder.Config, loaded.Config);
        Assert.True(loaded.WSkip!.eq(transcoder.WSkip!).all().item<bool>());
        using var x = randn(5, 128);
        Assert.True(loaded.forward(x).eq(transcoder.forward(x)).all().item<bool>());
    }

    /// <summary>A transcoder in circuit-tracer's layout: W_enc [d_sae, d_in], W_dec [d_out, d_sae], W_skip [d_out, d_in].</summary>
    static (byte[] File, Func<Tensor, Tensor> Reference) CircuitTracerFile(bool withThreshold)
    {
        var gen = new Generator(7);
        var wEnc = randn([256, 128], generator: gen) * 0.1f;
        var wDec = randn([128, 256], generator: gen) * 0.1f;
        var bEnc = randn([256], generator: gen) * 0.1f;
        var bDec = randn([128], generator: gen) * 0.1f;
        var wSkip = randn([128, 128], generator: gen) * 0.05f;
        var threshold = rand([256], generator: gen) * 0.1f;
        var tensors = new Dictionary<string, Tensor> { ["W_enc"] = wEnc, ["W_dec"] = wDec, ["b_enc"] = bEnc, ["b_dec"] = bDec, ["W_skip"] = wSkip };
        if (withThreshold) tensors["threshold"] = threshold;
        using var folder = new TempFolder();
        SafeTensorsWriter.Save(folder.File("layer_0.safetensors"), tensors);
        Tensor Reference(Tensor x)
        {
            var pre = x.matmul(wEnc.t()) + bEnc;
            var acts = withThreshold ? pre * pre.gt(threshold).to(pre.dtype) : nn.functional.relu(pre);
            return acts.matmul(wDec.t()) + bDec + x.matmul(wSkip.t());
        }
        return (File.ReadAllBytes(folder.File("layer_0.safetensors")), Reference);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_circuit_tracer_transcoder_loads_by_file_and_by_hub_and_predicts_as_its_own_formula(bool withThreshold)
    {
        using var scope = NewDisposeScope();
        var (bytes, reference) = CircuitTracerFile(withThreshold);
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("layer_0.safetensors"), bytes);
        using var transcoder = SparseAutoencoder.Load(folder.File("layer_0.safetensors"));
        Assert.Equal(new SaeConfig(withThreshold ? SaeArchitecture.JumpRelu : SaeArchitecture.Standard, 128, 256, In)
            { HookNameOut = Out, DOut = 128, HasSkip = true, ApplyBDecToInput = false }, transcoder.Config);
        var x = randn(4, 6, 128);
        Assert.True(transcoder.forward(x).allclose(reference(x), rtol: 1e-4, atol: 1e-5));

        const string RepoId = "kjv/skip-transcoder-gpt2-2l";
        var repo = new FakeRepo(RepoId, new Dictionary<string, byte[]> { ["layer_0.safetensors"] = bytes }, ["layer_0.safetensors"]);
        await using var server = new FakeHubServer(repo);
        using var fromHub = SparseAutoencoder.Load(RepoId, "layer_0.safetensors", hubOptions: _cache.Options(server));
        Assert.Equal(transcoder.Config, fromHub.Config);
        Assert.True(fromHub.forward(x).eq(transcoder.forward(x)).all().item<bool>());

        // It splices into the model like any transcoder.
        using var model = FeatureTestData.Model();
        var tokens = model.ToTokens("And God said, Let there be light");
        var clean = model.Forward(tokens);
        using (model.WithSae(fromHub, useErrorTerm: true))
            Assert.True((model.Forward(tokens) - clean).abs().max().item<float>() < 1e-5);
    }
}
