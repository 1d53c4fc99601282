using InterpKernel.Notebook.Views;
using TorchSharp;

namespace InterpKernel.Notebook.Tests.Magics;

public sealed class ModelMagicTests
{
    [Fact]
    public async Task Model_load_binds_the_model_and_describes_it()
    {
        var host = new FakeKernelHost();
        await host.Run($"#!model load \"{MagicModels.Kjv2l}\"");

        var model = host.Variable<HookedTransformer>("model");
        Assert.Equal(2, model.Config.NLayers);
        Assert.True(model.WeightsProcessed);
        Assert.Equal(torch.ScalarType.Float32, model.Dtype);
        Assert.Contains("as 'model': gpt2, 2 layers, 8 heads, d_model 128", host.OutText.ToString());
    }

    [Fact]
    public async Task Model_load_honours_the_name_dtype_and_no_process_options()
    {
        var host = new FakeKernelHost();
        await host.Run($"#!model load \"{MagicModels.Kjv2l}\" --name raw --dtype bfloat16 --no-process");

        Assert.False(host.Variables.ContainsKey("model"));
        var raw = host.Variable<HookedTransformer>("raw");
        Assert.False(raw.WeightsProcessed);
        Assert.Equal(torch.ScalarType.BFloat16, raw.Dtype);

        await host.Run("#!model info");
        var table = host.Single<DataFrameView>();
        Assert.Equal(["property", "value"], table.Columns);
        Assert.Equal("False", Value(table, "weights_processed"));
        Assert.Equal("BFloat16", Value(table, "dtype"));
    }

    [Fact]
    public async Task Model_info_shows_the_config_and_the_hook_count()
    {
        var host = await MagicModels.HostWithModel();
        await host.Run("#!model info");

        var table = host.Single<DataFrameView>();
        var model = host.Variable<HookedTransformer>("model");
        Assert.Equal("2", Value(table, "n_layers"));
        Assert.Equal("128", Value(table, "d_model"));
        Assert.Equal("50257", Value(table, "d_vocab"));
        Assert.Equal(model.HookNames.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), Value(table, "hook_points"));
        Assert.True(model.HookNames.Count > 20);
    }

    [Fact]
    public async Task Model_info_without_a_loaded_model_says_how_to_load_one()
    {
        var error = await new FakeKernelHost().Fails("#!model info");
        Assert.Contains("#!model needs a model: load one first", error.Message);
    }

    [Fact]
    public async Task An_unknown_option_fails_with_the_usage()
    {
        var error = await new FakeKernelHost().Fails($"#!model load \"{MagicModels.Kjv2l}\" --precision high");
        Assert.Contains("--precision", error.Message);
        Assert.Contains("Usage:", error.Message);
        Assert.Contains("--no-process", error.Message);
    }

    [Fact]
    public async Task A_missing_option_value_fails_with_the_usage()
    {
        var error = await new FakeKernelHost().Fails($"#!model load \"{MagicModels.Kjv2l}\" --device");
        Assert.Contains("--device", error.Message);
        Assert.Contains("Usage:", error.Message);
    }

    [Fact]
    public async Task An_unsupported_dtype_lists_the_ones_that_work()
    {
        var error = await new FakeKernelHost().Fails($"#!model load \"{MagicModels.Kjv2l}\" --dtype int8");
        Assert.Contains("int8", error.Message);
        Assert.Contains("bfloat16", error.Message);
    }

    [Fact]
    public async Task Load_without_a_source_asks_for_one()
    {
        var error = await new FakeKernelHost().Fails("#!model load");
        Assert.Contains("load needs a model folder", error.Message);
        Assert.Contains("Usage:", error.Message);
    }

    [Fact]
    public async Task An_invalid_variable_name_is_rejected_before_loading()
    {
        var error = await new FakeKernelHost().Fails($"#!model load \"{MagicModels.Kjv2l}\" --name 2model");
        Assert.Contains("'2model' is not a valid C# variable name", error.Message);
    }

    [Fact]
    public async Task A_missing_folder_fails_the_cell_saying_the_folder_is_missing()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid().ToString("N"), "config.json");
        var host = new FakeKernelHost();
        var error = await host.Fails($"#!model load \"{missing}\"");
        Assert.Contains("no-such-model-", error.Message);
        Assert.Contains("No folder", error.Message);
        Assert.Empty(host.Variables);
    }

    private static string? Value(DataFrameView table, string property) =>
        Assert.Single(table.Rows, r => r[0] == property)[1];

    [Fact]
    public async Task The_model_option_picks_the_variable_a_magic_uses_for_that_line_only()
    {
        var host = new FakeKernelHost();
        await host.Run($"#!model load \"{MagicModels.Kjv2l}\" --name full");
        await host.Run($"#!model load \"{MagicModels.Kjv2l}\" --name half --dtype bfloat16");

        await host.Run("#!run \"And God said\" --model full");
        Assert.Equal(torch.ScalarType.Float32, host.Variable<torch.Tensor>("logits").dtype);
        await host.Run("#!run \"And God said\"");
        Assert.Equal(torch.ScalarType.BFloat16, host.Variable<torch.Tensor>("logits").dtype);
        await host.Run("#!heads detect --seq-len 6 --batch 1 --model full");

        var error = await host.Fails("#!run \"And God said\" --model nope");
        Assert.Contains("no variable 'nope' holds a model. Variables holding a model: full, half.", error.Message);
    }
}
