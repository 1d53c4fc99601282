using System.Text.Json.Nodes;

namespace InterpKernel.Kernel.Tests;

/// <summary>
/// A C++ exception that escapes TorchSharp ends the process (.NET cannot catch it); the front end, or the notebook the
/// headless runner writes, still gets the failing cell's error with the native message and the cell's code.
/// </summary>
public sealed class NativeCrashTests : IClassFixture<JupyterFixture>
{
    // A matmul through a delegate is not a call the tensor guard rewrites, so the native error escapes.
    private const string CrashingCell = "var a = zeros(3, 4);\nFunc<Tensor, Tensor, Tensor> mm = torch.matmul;\nmm(a, zeros(5, 6))";

    private readonly JupyterFixture _jupyter;

    public NativeCrashTests(JupyterFixture jupyter)
    {
        _jupyter = jupyter;
    }

    [Fact]
    public void A_native_crash_reaches_jupyter_client_as_the_cells_error_and_the_kernel_process_exits()
    {
        var r = _jupyter.RunScript("native_crash.py", TimeSpan.FromMinutes(3), CrashingCell);

        var error = Assert.Single(r["errors"]!.AsArray())!;
        Assert.Equal("NativeCrash", (string?)error["ename"]);
        Assert.StartsWith("c10::Error: mat1 and mat2 shapes cannot be multiplied (3x4 and 5x6)", (string?)error["evalue"]);
        var traceback = error["traceback"]!.AsArray().Select(l => (string)l!).ToList();
        Assert.Contains("    Func<Tensor, Tensor, Tensor> mm = torch.matmul;", traceback);
        Assert.Contains("    mm(a, zeros(5, 6))", traceback);
        Assert.Equal("error", (string?)r["reply_status"]);
        Assert.Equal("NativeCrash", (string?)r["reply_ename"]);
        Assert.Equal(["busy", "idle"], r["states"]!.AsArray().Select(s => (string)s!).ToArray());
        Assert.False((bool)r["alive"]!);
    }

    [Fact]
    public void The_headless_runner_saves_the_native_error_in_the_cell_that_crashed_and_keeps_earlier_outputs()
    {
        var folder = Directory.CreateTempSubdirectory("interp-kernel-native-crash-");
        try
        {
            var input = Path.Combine(folder.FullName, "crash.ipynb");
            var cells = new JsonArray(
                Cell("Console.WriteLine(\"kept\");"), Cell("Console.WriteLine(\"before\");\n" + CrashingCell), Cell("1"));
            File.WriteAllText(input, new JsonObject
            {
                ["nbformat"] = 4, ["nbformat_minor"] = 5, ["metadata"] = new JsonObject(), ["cells"] = cells,
            }.ToJsonString());
            var output = Path.Combine(folder.FullName, "out.ipynb");
            var html = Path.Combine(folder.FullName, "out.html");
            var (code, _, stderr) = JupyterFixture.RunProcess("dotnet",
                [Path.Combine(AppContext.BaseDirectory, "interp-kernel.dll"), "run", input, "--output", output, "--html", html],
                TimeSpan.FromMinutes(3));

            Assert.NotEqual(0, code);
            Assert.Contains("terminate called after throwing an instance of 'c10::Error'", stderr);
            var saved = JsonNode.Parse(File.ReadAllText(output))!["cells"]!.AsArray();
            Assert.Equal("kept\n", (string?)saved[0]!["outputs"]![0]!["text"]);
            var crashed = saved[1]!["outputs"]!.AsArray();
            Assert.Equal(2, (int?)saved[1]!["execution_count"]);
            var error = crashed.Single(o => (string?)o!["output_type"] == "error")!;
            Assert.Equal("NativeCrash", (string?)error["ename"]);
            Assert.Contains("mat1 and mat2 shapes cannot be multiplied", (string?)error["evalue"]);
            Assert.Contains("    mm(a, zeros(5, 6))", error["traceback"]!.AsArray().Select(l => (string)l!));
            Assert.Empty(saved[2]!["outputs"]!.AsArray());
            Assert.Contains("NativeCrash", File.ReadAllText(html));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static JsonObject Cell(string source) => new()
    {
        ["cell_type"] = "code", ["metadata"] = new JsonObject(), ["execution_count"] = null,
        ["outputs"] = new JsonArray(), ["source"] = source,
    };
}
