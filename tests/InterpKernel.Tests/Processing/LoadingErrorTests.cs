using InterpKernel.Loading;
using InterpKernel.Tests.Loading;
using InterpKernel.Tokenization;
using Xunit;
using static InterpKernel.Tests.Processing.ProcessingModels;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Processing;

/// <summary>Bad checkpoints and bad arguments: each fails with a message that says what is wrong and what to do.</summary>
public class LoadingErrorTests
{
    [Fact]
    public void A_config_with_more_layers_than_the_weights_names_the_missing_tensor()
    {
        using var folder = new TempFolder();
        Copy(Folder(Kjv), folder, c => c["n_layer"] = 3);
        var e = Assert.Throws<InvalidDataException>(() => HookedTransformer.FromPretrained(folder.Path));
        Assert.Contains("'transformer.h.2.ln_1.weight' is missing", e.Message);
        Assert.Contains("check that config.json belongs to these weights", e.Message);
    }

    [Fact]
    public void A_config_with_a_different_width_names_the_tensor_and_both_shapes()
    {
        using var folder = new TempFolder();
        Copy(Folder(Kjv), folder, c => c["n_embd"] = 64);
        var e = Assert.Throws<InvalidDataException>(() => HookedTransformer.FromPretrained(folder.Path));
        Assert.Contains("attn.c_attn.weight", e.Message);
        Assert.Contains("[128, 384]", e.Message);
        Assert.Contains("[64, 192]", e.Message);
    }

    [Fact]
    public void An_unsupported_model_type_lists_the_supported_ones()
    {
        using var folder = new TempFolder();
        Copy(Folder(Kjv), folder, c => c["model_type"] = "falcon", skip: CheckpointReader.SingleFileName);
        var e = Assert.Throws<NotSupportedException>(() => HookedTransformer.FromPretrained(folder.Path));
        Assert.Contains("'falcon' is not supported", e.Message);
        foreach (var type in new[] { "gpt2", "gpt_neo", "gptj", "gpt_neox", "stablelm", "llama", "mistral", "mixtral", "qwen2", "qwen3",
                                     "phi3", "olmo2", "gemma", "gemma2", "gemma3_text" })
            Assert.Contains(type, e.Message);
        Assert.Equal(15, HuggingFaceConfig.SupportedModelTypes.Count);
    }

    [Fact]
    public void A_folder_without_config_json_says_it_needs_one()
    {
        using var folder = new TempFolder();
        Copy(Folder(Kjv), folder, skip: "config.json");
        var e = Assert.Throws<FileNotFoundException>(() => HookedTransformer.FromPretrained(folder.Path));
        Assert.Contains("No config.json", e.Message);
        Assert.Contains(folder.Path, e.Message);
    }

    [Fact]
    public void A_folder_without_tokenizer_files_loads_and_its_text_methods_name_the_missing_files()
    {
        using var folder = new TempFolder();
        Copy(Folder(Kjv), folder, skip: ["vocab.json", "merges.txt"]);
        using var model = HookedTransformer.FromPretrained(folder.Path);
        Assert.Null(model.Tokenizer);
        using (var logits = model.Forward(tensor(new long[] { 50256, 818, 262 }).unsqueeze(0)))
            Assert.Equal(new long[] { 1, 3, 50257 }, logits.shape);
        var e = Assert.Throws<InvalidOperationException>(() => model.ToTokens("In the beginning"));
        foreach (var file in ModelTokenizer.TokenizerFileNames)
            Assert.Contains(file, e.Message);
        Assert.Throws<InvalidOperationException>(() => model.ToSingleToken(" God"));
    }

    [Fact]
    public void Cuda_loads_where_a_backend_is_present_and_otherwise_says_what_to_install()
    {
        if (Devices.CudaAvailable)
        {
            using var cpu = HookedTransformer.FromPretrained(Folder(Kjv));
            using var gpu = HookedTransformer.FromPretrained(Folder(Kjv), "cuda");
            using var scope = NewDisposeScope();
            var tokens = cpu.ToTokens("In the beginning");
            double diff = MaxAbsDiff(cpu.Forward(tokens).log_softmax(-1), gpu.Forward(tokens).cpu().log_softmax(-1));
            Assert.True(diff <= 1e-3, $"cuda log-probabilities differ from the CPU's by {diff:E3}");
            return;
        }
        var e = Assert.Throws<InvalidOperationException>(() => HookedTransformer.FromPretrained(Folder(Kjv), "cuda"));
        Assert.Contains("no CUDA backend is present", e.Message);
        if (OperatingSystem.IsLinux())
        {
            Assert.Contains("TorchSharp-cuda-linux", e.Message);
            Assert.Contains(Devices.LibTorchVariable, e.Message);
        }
    }

    [Fact]
    public void A_layer_out_of_range_in_the_cache_says_how_many_layers_there_are()
    {
        using var model = HookedTransformer.FromPretrained(Folder(Kjv));
        using var tokens = model.ToTokens("In the beginning");
        var (logits, cache) = model.RunWithCache(tokens);
        using (logits)
        using (cache)
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => cache["pattern", 9]);
            Assert.Contains("layer 9 does not exist: the model has 2 layers", e.Message);
        }
    }

    [Fact]
    public void An_integer_dtype_and_an_empty_revision_are_refused_at_the_boundary()
    {
        var dtype = Assert.Throws<ArgumentException>(() => HookedTransformer.FromPretrained(Folder(Kjv), "cpu", ScalarType.Int32));
        Assert.Contains("Int32 is not a floating-point type", dtype.Message);
        var revision = Assert.Throws<ArgumentException>(() => HookedTransformer.FromPretrained(Folder(Kjv), "cpu", null, true, revision: " "));
        Assert.Equal("options", revision.ParamName);
        Assert.Contains("Revision is empty", revision.Message);
    }
}
