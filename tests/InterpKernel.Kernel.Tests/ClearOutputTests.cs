using InterpKernel.Kernel.Execution;
using InterpKernel.Kernel.Runner;

namespace InterpKernel.Kernel.Tests;

public sealed class ClearOutputTests : IDisposable
{
    private readonly CellEngine _engine = new();

    public void Dispose() => _engine.Dispose();

    [Fact]
    public async Task Clear_output_removes_what_the_cell_showed_now_or_at_the_next_output()
    {
        var notebook = DibParser.Parse(
            "#!csharp\n\nConsole.WriteLine(\"a\"); clear_output(); Console.WriteLine(\"b\");\n\n" +
            "#!csharp\n\ndisplay(1); clear_output(wait: true); display(2);\n");

        var report = await NotebookRunner.RunAsync(notebook, _engine, allowErrors: false);

        Assert.True(report.Succeeded);
        var first = Assert.Single(notebook["cells"]![0]!["outputs"]!.AsArray());
        Assert.Equal("b\n", (string?)first!["text"]);
        var second = Assert.Single(notebook["cells"]![1]!["outputs"]!.AsArray());
        Assert.Equal("2", (string?)second!["data"]!["text/plain"]);
    }
}
