using InterpKernel.Kernel.Execution;

namespace InterpKernel.Kernel.Tests;

/// <summary><c>#!memory</c> shows what each variable holds and what the process uses.</summary>
public sealed class MemoryMagicTests : IDisposable
{
    private readonly CellEngine _engine = new();

    public void Dispose() => _engine.Dispose();

    [Fact]
    public async Task Memory_lists_each_variable_with_its_tensors_and_bytes_and_the_process_totals()
    {
        await Run("var big = torch.zeros(256, 1024);\n" +
            "var parts = new List<torch.Tensor> { torch.zeros(1024), torch.zeros(1024, dtype: torch.float64) };\n" +
            "var shared = big;\nvar text = \"no tensor here\";");

        var sink = await Run("#!memory");

        Assert.Equal(2, sink.Displays.Count);
        var table = sink.Displays[0].Bundle["text/plain"];
        var lines = table.Split('\n');
        Assert.Contains(lines, l => l.Contains("big") && l.Contains("Tensor") && l.Contains("1.0 MiB"));
        Assert.Contains(lines, l => l.Contains("parts") && l.Contains("List<Tensor>") && l.Contains(" 2 ") && l.Contains("12.0 KiB"));
        Assert.Contains(lines, l => l.Contains("shared") && l.Contains("1.0 MiB"));
        Assert.DoesNotContain("text", table);
        Assert.Contains("cpu bytes", table);

        var summary = sink.Displays[1].Bundle["text/plain"];
        // big and shared are one tensor: counted once in the totals.
        Assert.Contains("tensors reached", summary);
        Assert.Matches(@"tensors reached\s+3\b", summary);
        Assert.Matches(@"bytes on cpu\s+1\.0 MiB", summary);
        Assert.Contains("live tensors", summary);
        Assert.Contains("managed heap", summary);
        Assert.Contains("resident memory", summary);
        Assert.Contains("<table", sink.Displays[1].Bundle["text/html"]);
    }

    [Fact]
    public async Task Memory_says_so_when_no_variable_holds_a_tensor()
    {
        var sink = await Run("#!memory");

        Assert.Contains("No variable holds a tensor.", sink.Stdout);
        Assert.Contains("resident memory", Assert.Single(sink.Displays).Bundle["text/plain"]);
    }

    private async Task<RecordingSink> Run(string cell)
    {
        var sink = new RecordingSink();
        await _engine.ExecuteAsync(cell, sink);
        Assert.True(sink.Errors.Count == 0, string.Join("\n", sink.Errors.Select(e => e.Value)));
        return sink;
    }
}
