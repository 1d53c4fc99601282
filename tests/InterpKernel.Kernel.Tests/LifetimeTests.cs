using System.CommandLine;
using System.Diagnostics;
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

    // 200 cells took 11 s on an idle 2-core machine and 75 s while other builds ran, nearly all of it compiling the cells.
    [Fact]
    public async Task Two_hundred_cells_that_cache_activations_on_the_cpu_keep_memory_flat()
    {
        var (at20, at200) = await TwoHundredCachingCells("cpu");

        Assert.Equal(at20.Tensors, at200.Tensors);
        Assert.True(at200.Rss - at20.Rss < RssGrowthBound,
            $"resident memory grew by {(at200.Rss - at20.Rss) / (1 << 20)} MiB from cell 20 to cell 200");
    }

    [Fact]
    public async Task Two_hundred_cells_that_cache_activations_on_cuda_keep_memory_flat()
    {
        if (!torch.cuda.is_available())
        {
            return;
        }

        var (at20, at200) = await TwoHundredCachingCells("cuda");

        Assert.Equal(at20.Tensors, at200.Tensors);
        Assert.True(at200.Rss - at20.Rss < RssGrowthBound,
            $"resident memory grew by {(at200.Rss - at20.Rss) / (1 << 20)} MiB from cell 20 to cell 200");
    }

    [Fact]
    public async Task Cells_that_run_the_run_magic_and_read_its_cache_keep_live_tensors_flat()
    {
        await Run($"#!model load {CellScopeTests.ModelPath}");
        var after = new List<long>();
        for (var i = 0; i < 12; i++)
        {
            await Run("#!run \"In the beginning God created\"\nvar s = cache[\"blocks.0.hook_resid_post\"].sum().item<float>();");
            after.Add(CellScopeTests.LiveTensorsAfterCollecting());
        }

        Assert.Equal(after[3], after[^1]);
    }

    [Fact]
    public async Task A_using_declaration_whose_dispose_fails_does_not_stop_the_others()
    {
        var sink = await Run("class Faulty : IDisposable { public void Dispose() => throw new InvalidOperationException(\"broken\"); }\n" +
            "using var first = torch.ones(2);\nusing var faulty = new Faulty();");

        Assert.Contains("broken", string.Concat(sink.Streams.Where(s => s.Name == "stderr").Select(s => s.Text)));
        Assert.Equal("True", Assert.Single((await Run("first.IsInvalid")).Results)["text/plain"]);
    }

    // Each cell makes 8 MiB of temporaries: keeping them would add 1.4 GiB over 180 cells. Roslyn keeps every compiled
    // cell, 1 to 1.7 MiB each here (170 to 310 MiB over 180 cells, measured), so the bound leaves room for that and no more.
    private const long RssGrowthBound = 512L << 20;

    private async Task<((long Tensors, long Rss) At20, (long Tensors, long Rss) At200)> TwoHundredCachingCells(string device)
    {
        await Run($"using InterpKernel;\nvar model = HookedTransformer.FromPretrained(@\"{CellScopeTests.ModelPath}\", device: \"{device}\");\n" +
            "var tokens = model.ToTokens(\"In the beginning God created\");");
        var at20 = (0L, 0L);
        var clock = Stopwatch.StartNew();
        for (var i = 1; i <= 200; i++)
        {
            // The cache and logits end with the cell; the sum's temporaries are the cell scope's to free.
            await Run("var (logits, cache) = model.RunWithCache(tokens);\nusing var l = logits;\nusing var c = cache;\n" +
                "var s = cache[\"blocks.0.hook_resid_post\"].sum().item<float>() + (logits[0, -1] * 2).max().item<float>();\n" +
                "var big = (torch.ones(1024, 1024) * 2).sum().item<float>();");
            if (i == 20)
            {
                at20 = Measure();
            }
        }

        var at200 = Measure();
        Console.WriteLine($"200 cells on {device}: {clock.Elapsed.TotalSeconds:0.0} s; live tensors {at20.Item1} after cell 20, " +
            $"{at200.Tensors} after cell 200; RSS {at20.Item2 >> 20} MiB, {at200.Rss >> 20} MiB");
        return (at20, at200);
    }

    private static (long Tensors, long Rss) Measure()
    {
        // Tensors earlier tests dropped without disposing are freed by finalizers at any time: collect them first.
        var tensors = CellScopeTests.LiveTensorsAfterCollecting();
        using var process = Process.GetCurrentProcess();
        return (tensors, process.WorkingSet64);
    }

    private async Task<RecordingSink> Run(string cell)
    {
        var sink = new RecordingSink();
        await _engine.ExecuteAsync(cell, sink);
        Assert.True(sink.Errors.Count == 0, string.Join("\n", sink.Errors.Select(e => e.Value)));
        return sink;
    }
}
