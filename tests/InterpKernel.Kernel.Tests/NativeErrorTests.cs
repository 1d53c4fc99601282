using System.Text.Json.Nodes;
using InterpKernel.Kernel.Execution;

namespace InterpKernel.Kernel.Tests;

/// <summary>Native errors that would end the process are caught before native code runs, or at least reported.</summary>
public sealed class NativeErrorTests : IDisposable
{
    private readonly CellEngine _engine = new();

    public void Dispose() => _engine.Dispose();

    [Theory]
    [InlineData("zeros(3, 4).matmul(zeros(5, 6))", "[3, 4] and [5, 6]")]
    [InlineData("torch.matmul(zeros(3, 4), zeros(5, 6))", "[3, 4] and [5, 6]")]
    [InlineData("matmul(zeros(2, 3, 4), zeros(4))", null)]
    [InlineData("matmul(zeros(2, 3, 4), zeros(3, 4, 5))", "batch dimensions 2 and 3")]
    [InlineData("zeros(4).matmul(zeros(5))", "[4] and [5]")]
    public async Task A_matmul_of_mismatched_shapes_is_a_managed_error_naming_the_shapes(string expression, string? expected)
    {
        var sink = new RecordingSink();
        await _engine.ExecuteAsync($"string r; try {{ var t = {expression}; r = \"ok \" + string.Join(\",\", t.shape); }} catch (ArgumentException e) {{ r = e.Message; }}\nr", sink);

        var text = Assert.Single(sink.Results)["text/plain"];
        if (expected is null)
        {
            Assert.Equal("ok 2,3", text);
        }
        else
        {
            Assert.StartsWith("matmul: shapes", text);
            Assert.Contains(expected, text);
        }
    }

    [Fact]
    public async Task A_users_own_method_named_matmul_is_left_alone()
    {
        var sink = new RecordingSink();
        await _engine.ExecuteAsync("int matmul(int a, int b) => a * b;\nmatmul(6, 7)", sink);

        Assert.Equal("42", Assert.Single(sink.Results)["text/plain"]);
    }

    [Fact]
    public void A_crashing_cell_leaves_the_executed_notebook_and_html_with_earlier_outputs_and_names_the_cell()
    {
        var folder = Directory.CreateTempSubdirectory("interp-kernel-crash-");
        try
        {
            var input = Path.Combine(folder.FullName, "crash.ipynb");
            File.WriteAllText(input, """
                {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
                  {"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [], "source": "Console.WriteLine(\"kept\");"},
                  {"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [], "source": "Environment.FailFast(\"native crash stand-in\");"},
                  {"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [], "source": "1"}
                ]}
                """);
            var output = Path.Combine(folder.FullName, "out.ipynb");
            var html = Path.Combine(folder.FullName, "out.html");
            var (code, _, _) = JupyterFixture.RunProcess("dotnet",
                [Path.Combine(AppContext.BaseDirectory, "interp-kernel.dll"), "run", input, "--output", output, "--html", html],
                TimeSpan.FromMinutes(3));

            Assert.NotEqual(0, code);
            var cells = JsonNode.Parse(File.ReadAllText(output))!["cells"]!.AsArray();
            Assert.Equal("kept\n", (string?)cells[0]!["outputs"]![0]!["text"]);
            var note = cells[1]!["outputs"]![0]!;
            Assert.Equal("ProcessEnded", (string?)note["ename"]);
            Assert.Contains("code cell 2", (string?)note["evalue"]);
            Assert.Contains("code cell 2", File.ReadAllText(html));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
