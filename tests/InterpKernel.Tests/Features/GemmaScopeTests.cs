using InterpKernel.Analysis;
using InterpKernel.Tests.Hub;
using InterpKernel.Tests.Loading;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Features;

public sealed class GemmaScopeTests : IDisposable
{
    readonly HubTestCache _cache = new();

    public void Dispose() => _cache.Dispose();

    // A 2-in, 3-feature JumpReLU SAE small enough to work out by hand.
    static readonly float[] WEnc = [1, 0, -1, 0, 2, 1];       // [d_in = 2, d_sae = 3]
    static readonly float[] WEncColumns = [1, 0, 0, 2, -1, 1]; // the same matrix in Fortran order
    static readonly float[] BEnc = [0, -1, 0.5f];
    static readonly float[] WDec = [1, 0, 0, 1, 2, -1];       // [d_sae = 3, d_out = 2]
    static readonly float[] BDec = [0.5f, -0.5f];
    static readonly float[] Threshold = [0.5f, 0.5f, 0.25f];

    static byte[] Params(bool half = false, bool fortran = false, bool compressed = false)
    {
        NpyArray F(long[] shape, float[] v) => half ? NpyArray.Float16(shape, v) : NpyArray.Float32(shape, v);
        var arrays = new Dictionary<string, NpyArray>
        {
            ["W_enc"] = fortran ? NpyArray.Float32([2, 3], WEncColumns, fortranOrder: true) : F([2, 3], WEnc),
            ["W_dec"] = F([3, 2], WDec),
            ["b_enc"] = F([3], BEnc),
            ["b_dec"] = F([2], BDec),
            ["threshold"] = F([3], Threshold),
        };
        using var folder = new TempFolder();
        NpzTestWriter.Write(folder.File("params.npz"), arrays, compressed);
        return File.ReadAllBytes(folder.File("params.npz"));
    }

    static void ChecksAgainstTheHandComputation(SparseAutoencoder sae)
    {
        using var scope = NewDisposeScope();
        // x = [1, 1]: pre = x W_enc + b_enc = [1, 1, 0.5], all above threshold; recon = [1,0] + [0,1] + 0.5 [2,-1] + b_dec.
        // x = [0.5, -1]: pre = [0.5, -3, -1]: 0.5 is not above its threshold of 0.5, so nothing fires and recon = b_dec.
        // Gemma Scope does not subtract b_dec from the input: with it subtracted the first row would read [2.5, 2, 0.5].
        var x = tensor(new float[] { 1, 1, 0.5f, -1 }, [2, 2]);
        var acts = sae.Encode(x).to(ScalarType.Float32);
        Assert.Equal(new float[] { 1, 1, 0.5f, 0, 0, 0 }, acts.data<float>().ToArray());
        var recon = sae.forward(x).to(ScalarType.Float32);
        Assert.Equal(new float[] { 2.5f, 0, 0.5f, -0.5f }, recon.data<float>().ToArray());
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, true)]
    [InlineData(false, true, false)]
    public void A_params_npz_folder_loads_as_a_jumprelu_sae_that_encodes_and_decodes_as_computed_by_hand(bool half, bool fortran, bool compressed)
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File(SparseAutoencoder.GemmaScopeFileName), Params(half, fortran, compressed));
        using var sae = SparseAutoencoder.Load(folder.Path, hookName: "blocks.0.hook_resid_post");
        Assert.Equal(new SaeConfig(SaeArchitecture.JumpRelu, 2, 3, "blocks.0.hook_resid_post") { ApplyBDecToInput = false }, sae.Config);
        Assert.Equal(half ? ScalarType.Float16 : ScalarType.Float32, sae.WDec.dtype);
        ChecksAgainstTheHandComputation(sae);
        using var asFloat = SparseAutoencoder.Load(folder.Path, dtype: ScalarType.Float32, hookName: "blocks.0.hook_resid_post");
        Assert.Equal(ScalarType.Float32, asFloat.WEnc.dtype);
        ChecksAgainstTheHandComputation(asFloat);
    }

    [Fact]
    public void Without_a_hook_name_the_path_must_say_the_layer_and_site()
    {
        using var folder = new TempFolder();
        string sae = Path.Combine(folder.Path, "gemma-scope-2b-pt-mlp", "layer_3", "width_16k", "average_l0_20");
        Directory.CreateDirectory(sae);
        File.WriteAllBytes(Path.Combine(sae, SparseAutoencoder.GemmaScopeFileName), Params());
        using (var loaded = SparseAutoencoder.Load(sae)) Assert.Equal("blocks.3.hook_mlp_out", loaded.Config.HookName);
        using (var file = SparseAutoencoder.Load(Path.Combine(sae, SparseAutoencoder.GemmaScopeFileName))) Assert.Equal("blocks.3.hook_mlp_out", file.Config.HookName);

        File.WriteAllBytes(folder.File(SparseAutoencoder.GemmaScopeFileName), Params());
        var unknown = Assert.Throws<ArgumentException>(() => SparseAutoencoder.Load(folder.Path));
        Assert.Contains("Pass hookName", unknown.Message);
    }

    [Theory]
    [InlineData("google/gemma-scope-2b-pt-res", "blocks.12.hook_resid_post", null)]
    [InlineData("google/gemma-scope-2b-pt-att", "blocks.12.attn.hook_z", null)]
    [InlineData("google/gemma-scope-2b-pt-transcoders", "blocks.12.ln2.hook_normalized", "blocks.12.hook_mlp_out")]
    public async Task A_gemma_scope_sae_loads_by_hub_repo_and_path_with_its_hooks_inferred(string repoId, string hook, string? hookOut)
    {
        const string Folder = "layer_12/width_16k/average_l0_82";
        var repo = new FakeRepo(repoId, new Dictionary<string, byte[]> { [$"{Folder}/params.npz"] = Params(half: true) }, [$"{Folder}/params.npz"]);
        await using var server = new FakeHubServer(repo);
        var options = _cache.Options(server);
        using var sae = SparseAutoencoder.Load(repoId, Folder, hubOptions: options);
        Assert.Equal(hook, sae.Config.HookName);
        Assert.Equal(hookOut, sae.Config.HookNameOut);
        Assert.Equal(SaeArchitecture.JumpRelu, sae.Config.Architecture);
        ChecksAgainstTheHandComputation(sae);

        // Cached now: offline it loads again without asking the hub.
        int requests = server.Requests.Count;
        using var again = SparseAutoencoder.Load(repoId, Folder, hubOptions: options with { Offline = true });
        Assert.Equal(requests, server.Requests.Count);
        Assert.Equal(hook, again.Config.HookName);
        // A folder with neither file still reports the SAELens config as missing.
        var missing = Assert.Throws<InterpKernel.Hub.HubException>(() => SparseAutoencoder.Load(repoId, "layer_13/width_16k/average_l0_82", hubOptions: options));
        Assert.Contains("cfg.json", missing.Message);
    }
}
