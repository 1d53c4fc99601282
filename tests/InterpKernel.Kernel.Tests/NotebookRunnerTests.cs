using System.Text.Json.Nodes;
using InterpKernel.Kernel.Execution;
using InterpKernel.Kernel.Runner;

namespace InterpKernel.Kernel.Tests;

public sealed class NotebookRunnerTests : IDisposable
{
    private readonly CellEngine _engine = new();
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("interp-kernel-runner-");

    public void Dispose()
    {
        _engine.Dispose();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task An_ipynb_runs_with_list_and_string_sources_and_keeps_markdown()
    {
        var path = Path.Combine(_folder.FullName, "n.ipynb");
        File.WriteAllText(path, """
            {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
              {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n", "Some `code` here."]},
              {"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [], "source": ["var a = 6;\n", "Console.WriteLine(a);"]},
              {"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [], "source": "a * 7"}
            ]}
            """);
        var notebook = NotebookFile.Load(path);

        var report = await NotebookRunner.RunAsync(notebook, _engine, allowErrors: false);

        Assert.True(report.Succeeded);
        Assert.Equal(2, report.CodeCellsRun);
        var cells = notebook["cells"]!.AsArray();
        Assert.Equal("# Title\nSome `code` here.", NotebookFile.Source(cells[0]!.AsObject()));
        Assert.Equal("6\n", (string?)cells[1]!["outputs"]![0]!["text"]);
        Assert.Equal(1, (int?)cells[1]!["execution_count"]);
        var result = cells[2]!["outputs"]![0]!;
        Assert.Equal("execute_result", (string?)result["output_type"]);
        Assert.Equal(2, (int?)result["execution_count"]);
        Assert.Equal("42", (string?)result["data"]!["text/plain"]);
    }

    [Fact]
    public async Task A_failing_cell_stops_the_run_unless_errors_are_allowed()
    {
        JsonObject Notebook() => DibParser.Parse("#!csharp\n\nvar b = 1;\n\n#!csharp\n\nthrow new Exception(\"bad\");\n\n#!csharp\n\nb + 1\n");

        var stopped = Notebook();
        var stop = await NotebookRunner.RunAsync(stopped, _engine, allowErrors: false);
        var allowed = Notebook();
        var keepGoing = await NotebookRunner.RunAsync(allowed, _engine, allowErrors: true);

        Assert.Equal(1, Assert.Single(stop.Failures).CellIndex);
        Assert.Equal(2, stop.CodeCellsRun);
        Assert.Equal("bad", stop.Failures[0].Error.Value);
        Assert.Equal(3, keepGoing.CodeCellsRun);
        Assert.Equal("2", (string?)allowed["cells"]![2]!["outputs"]![0]!["data"]!["text/plain"]);
        Assert.Equal("error", (string?)allowed["cells"]![1]!["outputs"]![0]!["output_type"]);
    }

    [Fact]
    public void A_dib_file_becomes_code_and_markdown_cells_and_keeps_magic_lines()
    {
        var notebook = DibParser.Parse("""
            #!meta

            {"kernelInfo":{"defaultKernelName":"csharp"}}

            #!markdown

            ## Section

            #!csharp

            #!help
            var c = 3;
            """);

        var cells = notebook["cells"]!.AsArray();
        Assert.Equal(2, cells.Count);
        Assert.Equal("markdown", (string?)cells[0]!["cell_type"]);
        Assert.Equal("## Section", NotebookFile.Source(cells[0]!.AsObject()));
        Assert.Equal("code", (string?)cells[1]!["cell_type"]);
        Assert.Equal("#!help\nvar c = 3;", NotebookFile.Source(cells[1]!.AsObject()));
    }

    [Fact]
    public async Task The_html_report_renders_markdown_and_embeds_outputs()
    {
        var notebook = DibParser.Parse("""
            #!markdown

            # Report
            A [link](https://example.org) and `x < y`.

            - one
            - two

            #!csharp

            display("<svg id=\"chart\"></svg>", "text/html");
            "a < b"
            """);
        await NotebookRunner.RunAsync(notebook, _engine, allowErrors: false);

        var html = HtmlReport.Render(notebook, "report");

        Assert.Contains("<h1>Report</h1>", html);
        Assert.Contains("<a href=\"https://example.org\">link</a>", html);
        Assert.Contains("<code>x &lt; y</code>", html);
        Assert.Contains("<ul>\n<li>one</li>\n<li>two</li>\n</ul>", html);
        Assert.Contains("<svg id=\"chart\"></svg>", html);
        Assert.Contains("<pre>a &lt; b</pre>", html);
    }
}
