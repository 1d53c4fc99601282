using System.CommandLine;
using InterpKernel.Kernel.Execution;
using InterpKernel.Notebook.Hosting;
using TorchSharp;

namespace InterpKernel.Kernel.Tests;

/// <summary>Values a magic rebinds are freed; values the user still holds are not.</summary>
public sealed class LifetimeTests : IDisposable
{
    private readonly CellEngine _engine = new();
    private readonly List<torch.Tensor> _bound = [];

    public LifetimeTests()
    {
        _engine.Host.Magics.Register(new MagicCommand(
            "bindt", "Binds a new tensor to t.", () => new Command("bindt"),
            (_, host, _) =>
            {
                var tensor = torch.zeros(256, 1024);
                _bound.Add(tensor);
                host.SetVariable("t", tensor);
                return Task.CompletedTask;
            }));
    }

    public void Dispose()
    {
        _engine.Dispose();
        foreach (var tensor in _bound)
        {
            tensor.Dispose();
        }
    }

    [Fact]
    public async Task Two_hundred_cells_that_rebind_a_tensor_keep_only_the_last_one_alive()
    {
        for (var i = 0; i < 200; i++)
        {
            await Run("#!bindt");
        }

        Assert.Equal(199, _bound.Count(t => t.IsInvalid));
        Assert.False(_bound[^1].IsInvalid);
        var sum = await Run("t.shape[0]");
        Assert.Equal("256", Assert.Single(sum.Results)["text/plain"]);
    }

    [Fact]
    public async Task A_value_another_variable_still_holds_is_not_disposed()
    {
        await Run("#!bindt");
        await Run("var kept = t;");
        await Run("#!bindt");

        Assert.False(_bound[0].IsInvalid);
        var shape = await Run("kept.shape[1]");
        Assert.Equal("1024", Assert.Single(shape.Results)["text/plain"]);
    }

    [Fact]
    public async Task Variables_lists_each_name_once_with_its_current_value_most_recent_last()
    {
        await Run("var a = 1; var b = 2;");
        await Run("var a = \"again\";");

        var variables = _engine.Host.Variables();
        Assert.Equal(["b", "a"], variables.Select(v => v.Key).ToArray());
        Assert.Equal("again", variables[^1].Value);
    }

    [Fact]
    public async Task Loading_a_missing_local_folder_says_the_folder_is_missing()
    {
        var sink = new RecordingSink();
        var folder = Directory.CreateTempSubdirectory("interp-kernel-models-");
        try
        {
            await _engine.ExecuteAsync($"#!model load {folder.FullName}/does-not-exist", sink);
        }
        finally
        {
            folder.Delete();
        }

        var error = Assert.Single(sink.Errors);
        Assert.Contains("No folder", error.Value);
        Assert.Contains("does-not-exist", error.Value);
    }

    private async Task<RecordingSink> Run(string cell)
    {
        var sink = new RecordingSink();
        await _engine.ExecuteAsync(cell, sink);
        Assert.True(sink.Errors.Count == 0, string.Join("\n", sink.Errors.Select(e => e.Value)));
        return sink;
    }
}
