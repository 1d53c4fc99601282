using System.Text.Json.Nodes;

namespace InterpKernel.Kernel.Tests;

/// <summary>End-to-end: Jupyter's own jupyter_client and nbclient drive the installed kernel.</summary>
public sealed class JupyterClientTests : IClassFixture<JupyterFixture>
{
    private readonly JupyterFixture _jupyter;

    public JupyterClientTests(JupyterFixture jupyter)
    {
        _jupyter = jupyter;
    }

    [Fact]
    public void Install_writes_kernel_json_and_two_png_logos()
    {
        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(_jupyter.KernelSpecFolder, "kernel.json")))!;

        Assert.Equal("C# (InterpKernel)", (string?)spec["display_name"]);
        Assert.Equal("csharp", (string?)spec["language"]);
        Assert.Equal("message", (string?)spec["interrupt_mode"]);
        var argv = spec["argv"]!.AsArray().Select(a => (string?)a).ToList();
        Assert.Equal(["-f", "{connection_file}"], argv[^2..]);
        Assert.EndsWith("interp-kernel.dll", argv[^3]);
        foreach (var logo in new[] { "logo-32x32.png", "logo-64x64.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(_jupyter.KernelSpecFolder, logo));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        }
    }

    [Fact]
    public void Jupyter_client_runs_cells_interrupts_and_ignores_forged_messages()
    {
        var r = _jupyter.RunScript("kernel_session.py", TimeSpan.FromMinutes(4));

        Assert.Equal("5.3", (string?)r["kernel_info"]!["protocol_version"]);
        Assert.Equal("interp-kernel", (string?)r["kernel_info"]!["implementation"]);
        Assert.Equal("csharp", (string?)r["kernel_info"]!["language"]);

        Assert.Equal("ok", Status(r["declare"]));
        Assert.Equal("42", ResultText(r["state"]));
        Assert.Equal(2, (int?)r["state"]!["reply"]!["execution_count"]);

        var display = Outputs(r["display"]);
        Assert.Contains(display, o => (string?)o["type"] == "stream" && (string?)o["content"]!["text"] == "out\n");
        Assert.Contains(display, o => (string?)o["type"] == "display_data" && (string?)o["content"]!["data"]!["text/html"] == "<b>hi</b>");

        Assert.Equal("error", Status(r["runtime_error"]));
        Assert.Equal("System.InvalidOperationException", (string?)r["runtime_error"]!["reply"]!["ename"]);
        Assert.Equal("boom", (string?)r["runtime_error"]!["reply"]!["evalue"]);
        Assert.Contains(Outputs(r["runtime_error"]), o => (string?)o["type"] == "error");

        Assert.Equal("CompilationError", (string?)r["compile_error"]!["reply"]!["ename"]);
        Assert.StartsWith("(2,9): error CS0029", (string?)r["compile_error"]!["reply"]!["evalue"]);

        Assert.Equal("error", (string?)r["interrupt"]!["reply"]!["status"]);
        Assert.Equal("OperationCanceledException", (string?)r["interrupt"]!["reply"]!["ename"]);
        Assert.True((double)r["interrupt"]!["seconds"]! < 5.0);
        Assert.Equal("2", ResultText(r["after_interrupt"]));

        Assert.Equal(["error", "aborted", "aborted"], r["run_all"]!.AsArray().Select(s => (string)s!).ToArray());
        Assert.Equal(["error", "ok", "ok"], r["run_all_no_stop"]!.AsArray().Select(s => (string)s!).ToArray());
        Assert.Equal("10", ResultText(r["after_run_all"]));

        Assert.Equal("CompilationError", (string?)r["forged_visible"]!["reply"]!["ename"]);
        Assert.Contains("CS0103", (string?)r["forged_visible"]!["reply"]!["evalue"]);
        Assert.Contains("CS0103", (string?)r["unsigned_visible"]!["reply"]!["evalue"]);
        Assert.Equal("4", ResultText(r["after_forged"]));

        var complete = r["complete"]!;
        Assert.Contains("Max", complete["matches"]!.AsArray().Select(m => (string?)m));
        Assert.Equal(5, (int?)complete["cursor_start"]);
        Assert.Equal(7, (int?)complete["cursor_end"]);
        Assert.True((bool?)r["inspect"]!["found"]);
        Assert.Contains("int", (string?)r["inspect"]!["data"]!["text/plain"]);
        Assert.Equal("incomplete", (string?)r["is_complete"]!["status"]);
        Assert.Equal("ok", (string?)r["comm_info"]!["status"]);
        Assert.False((bool?)r["alive_after_shutdown"]);
    }

    [Fact]
    public void Nbclient_executes_a_notebook()
    {
        var cells = _jupyter.RunScript("nbclient_run.py", TimeSpan.FromMinutes(3)).AsArray();

        Assert.Equal(3, cells.Count);
        Assert.Equal([1, 2, 3], cells.Select(c => (int?)c!["execution_count"] ?? 0).ToArray());
        var second = cells[1]!["outputs"]!.AsArray();
        Assert.Equal("5\n", (string?)second[0]!["text"]);
        Assert.Equal("hello world", (string?)second[1]!["data"]!["text/plain"]);
        Assert.Equal("<i>shown</i>", (string?)cells[2]!["outputs"]![0]!["data"]!["text/html"]);
    }

    [Fact]
    public void Twenty_thousand_printed_lines_arrive_complete_in_few_messages_and_the_next_cell_still_answers()
    {
        var r = _jupyter.RunScript("flood_output.py", TimeSpan.FromMinutes(4));
        var expected = Enumerable.Range(0, 20_000).Select(i => $"line {i}").ToArray();

        Assert.Equal(expected, r["nbclient_lines"]!.AsArray().Select(l => (string)l!).ToArray());
        var second = r["nbclient_second"]!.AsArray();
        Assert.Equal(["stdout:a\n", "stderr:b\n", "stdout:c\n"],
            second.Where(o => (string?)o!["type"] == "stream").Select(o => $"{(string?)o!["name"]}:{(string?)o["text"]}").ToArray());
        Assert.Equal("42", (string?)second.Single(o => (string?)o!["type"] == "execute_result")!["plain"]);

        Assert.Equal("ok", (string?)r["client_status"]);
        Assert.Equal(expected, r["client_lines"]!.AsArray().Select(l => (string)l!).ToArray());
        Assert.True((int)r["client_stream_messages"]! <= 50, $"{r["client_stream_messages"]} stream messages for 20,000 lines");
        Assert.Equal(["idle"], r["client_last_status"]!.AsArray().Select(s => (string)s!).ToArray());
        Assert.Equal(["2"], r["client_next_result"]!.AsArray().Select(s => (string)s!).ToArray());
    }

    [Fact]
    public void Console_ReadLine_asks_the_front_end_on_stdin_only_when_the_request_allows_it()
    {
        var r = _jupyter.RunScript("stdin_input.py", TimeSpan.FromMinutes(3));

        var allowed = r["allowed"]!;
        Assert.Equal("input_request", (string?)allowed["request"]!["type"]);
        Assert.True((bool?)allowed["request"]!["parent"]);
        Assert.Equal("ok", (string?)allowed["status"]);
        Assert.Equal(["name? ", "hello Ada"], allowed["outputs"]!.AsArray().Select(o => (string)o!).ToArray());
        var refused = r["refused"]!;
        Assert.Null(refused["request"]);
        Assert.Equal(["True"], refused["outputs"]!.AsArray().Select(o => (string)o!).ToArray());
    }

    [Fact]
    public void Jupyters_kernel_conformance_suite_passes()
    {
        var (code, output) = _jupyter.RunUnittest("conformance", TimeSpan.FromMinutes(5));

        Assert.True(code == 0, output);
        // Every sample the suite supports is given; only the pager (which this kernel has no use for) is skipped.
        Assert.Contains("OK (skipped=1)", output);
    }

    private static string? Status(JsonNode? run) => (string?)run!["reply"]!["status"];

    private static List<JsonNode> Outputs(JsonNode? run) => run!["outputs"]!.AsArray().Select(o => o!).ToList();

    private static string? ResultText(JsonNode? run) =>
        (string?)Outputs(run).Single(o => (string?)o["type"] == "execute_result")["content"]!["data"]!["text/plain"];
}
