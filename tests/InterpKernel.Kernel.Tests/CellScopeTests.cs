using System.CommandLine;
using InterpKernel.Kernel.Execution;
using InterpKernel.Notebook.Hosting;
using TorchSharp;

namespace InterpKernel.Kernel.Tests;

/// <summary>A cell frees the tensors it made and no longer reaches; what its variables reach survives.</summary>
public sealed class CellScopeTests : IDisposable
{
    private readonly CellEngine _engine = new();
    // Static, so that the magic's closure does not make the notebook reach what it holds.
    private static readonly List<torch.Tensor> Grabbed = [];

    public CellScopeTests()
    {
        Grabbed.Clear();
        // Holds the tensor in the variable 't' from outside the notebook, to see whether the cell disposed it.
        _engine.Host.Magics.Register(new MagicCommand(
            "grab", "Remembers the tensor in t.", () => new Command("grab"),
            (_, host, _) =>
            {
                Assert.True(host.TryGetVariable("t", out var value));
                Grabbed.Add((torch.Tensor)value!);
                return Task.CompletedTask;
            }));
    }

    public void Dispose() => _engine.Dispose();

    internal static string ModelPath
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "InterpKernel.sln")))
                {
                    return Path.Combine(dir.FullName, "models", "kjv-gpt2-2l");
                }
            }

            throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} holds InterpKernel.sln.");
        }
    }

    [Fact]
    public async Task A_tensor_no_variable_reaches_is_disposed_when_the_cell_ends()
    {
        await Run("var t = torch.ones(3);\n#!grab\nt = null;");

        Assert.True(Assert.Single(Grabbed).IsInvalid);
    }

    [Fact]
    public async Task Temporaries_of_a_cell_leave_no_live_tensor_behind()
    {
        await Run("var warm = (torch.ones(10) * 2 + 1).sum().item<float>();");
        var before = LiveTensorsAfterCollecting();

        await Run("var s = 0f; for (var i = 0; i < 100; i++) { s += (torch.ones(10) * i + 1).sum().item<float>(); }");

        Assert.Equal(before, torch.Tensor.TotalCount);
        Assert.Equal("50500", Assert.Single((await Run("s")).Results)["text/plain"]);
    }

    [Fact]
    public async Task A_tensor_in_a_variable_survives_and_works_in_the_next_cell()
    {
        await Run("var t = torch.ones(3);\n#!grab");

        Assert.False(Assert.Single(Grabbed).IsInvalid);
        Assert.Equal("3", Single(await Run("t.sum().item<float>()")));
    }

    [Fact]
    public async Task A_tensor_in_a_list_a_tuple_or_a_record_survives()
    {
        await Run("record Box(torch.Tensor T);\n" +
            "var list = new List<torch.Tensor> { torch.ones(2), torch.ones(3) };\n" +
            "var pair = (torch.ones(4), 1);\n" +
            "var box = new Box(torch.ones(5));\n" +
            "var nested = new Dictionary<string, torch.Tensor[]> { [\"a\"] = [torch.ones(6)] };");

        Assert.Equal("20", Single(await Run(
            "list[1].sum().item<float>() + pair.Item1.sum().item<float>() + box.T.sum().item<float>() + nested[\"a\"][0].sum().item<float>() + 2")));
    }

    [Fact]
    public async Task A_tensor_a_stored_lambda_captured_survives()
    {
        await Run("Func<float> total;\n{ var hidden = torch.ones(4); total = () => hidden.sum().item<float>(); }");

        Assert.Equal("4", Single(await Run("total()")));
    }

    [Fact]
    public async Task A_shadowed_declaration_keeps_its_tensor()
    {
        await Run("var t = torch.ones(2);\nFunc<float> first = () => t.sum().item<float>();");
        await Run("var t = torch.ones(7);");

        Assert.Equal("2", Single(await Run("first()")));
    }

    [Fact]
    public async Task A_returned_tensor_is_shown()
    {
        var sink = await Run("torch.ones(2) * 3");

        Assert.Contains("3", Assert.Single(sink.Results)["text/plain"]);
    }

    [Fact]
    public async Task A_model_and_its_cache_survive_and_work_in_later_cells()
    {
        await Run($"var model = HookedTransformer.FromPretrained(@\"{ModelPath}\");\n" +
            "var (logits, cache) = model.RunWithCache(model.ToTokens(\"In the beginning God\"));\n" +
            "var first = logits[0, -1].argmax().item<long>();");
        var before = LiveTensorsAfterCollecting();

        await Run("var again = model.Forward(model.ToTokens(\"In the beginning God\"));\n" +
            "var sum = cache[\"blocks.0.hook_resid_post\"].sum().item<float>();");

        // The second cell keeps its two variables' tensors and frees the rest.
        Assert.Equal(before + 1, torch.Tensor.TotalCount);
        Assert.Equal("True", Single(await Run("again[0, -1].argmax().item<long>() == first")));
        Assert.Equal("True", Single(await Run("float.IsFinite(sum) && cache[\"blocks.1.hook_resid_post\"].shape[2] == model.Config.DModel")));
    }

    private static string Single(RecordingSink sink) => Assert.Single(sink.Results)["text/plain"];

    private async Task<RecordingSink> Run(string cell)
    {
        var sink = new RecordingSink();
        await _engine.ExecuteAsync(cell, sink);
        Assert.True(sink.Errors.Count == 0, string.Join("\n", sink.Errors.Select(e => e.Value)));
        return sink;
    }

    /// <summary>
    /// The process's live tensors once those that earlier code dropped without disposing are finalized, so that a count
    /// taken later moves only with what happens in between.
    /// </summary>
    internal static long LiveTensorsAfterCollecting()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return torch.Tensor.TotalCount;
    }
}
