using InterpKernel.Kernel.Execution;

namespace InterpKernel.Kernel.Tests;

/// <summary>How a cell's printed text reaches the sink: batched, in order, never dropped, cut only on purpose.</summary>
public sealed class CellOutputTests : IDisposable
{
    private readonly CellEngine _engine = new();

    public void Dispose() => _engine.Dispose();

    [Fact]
    public async Task Many_printed_lines_arrive_whole_in_a_few_stream_outputs()
    {
        var sink = await Run("for (var i = 0; i < 50000; i++) Console.WriteLine(i);");

        Assert.Equal(string.Concat(Enumerable.Range(0, 50_000).Select(i => $"{i}\n")), sink.Stdout);
        Assert.True(sink.Streams.Count <= 20, $"{sink.Streams.Count} stream outputs for 50,000 lines");
    }

    [Fact]
    public async Task Stdout_stderr_and_displays_keep_the_order_they_were_written_in()
    {
        var sink = new RecordingSink();
        var order = new List<string>();
        var recording = new OrderSink(sink, order);
        await _engine.ExecuteAsync(
            "Console.Write(\"a\"); Console.Error.Write(\"b\"); Console.Write(\"c\"); display(1); Console.WriteLine(\"d\"); 5", recording);

        Assert.Equal(["stdout:a", "stderr:b", "stdout:c", "display", "stdout:d\n", "result"], order);
    }

    [Fact]
    public async Task Output_past_the_limit_is_cut_with_a_note_naming_the_file_that_holds_all_of_it()
    {
        _engine.MaxStreamChars = 1000;
        var sink = await Run("for (var i = 0; i < 1000; i++) Console.WriteLine($\"line {i}\"); Console.Error.WriteLine(\"err\");");

        var stdout = sink.Stdout;
        var note = stdout[stdout.LastIndexOf("\n[stdout cut after", StringComparison.Ordinal)..];
        Assert.StartsWith("line 0\nline 1\n", stdout);
        Assert.True(stdout.Length < 1200, $"{stdout.Length} characters were sent");
        var path = note[(note.IndexOf(" is in ", StringComparison.Ordinal) + 7)..note.LastIndexOf(']')];
        Assert.Equal(string.Concat(Enumerable.Range(0, 1000).Select(i => $"line {i}\n")), File.ReadAllText(path));
        Assert.Contains(sink.Streams, s => s is ("stderr", "err\n"));
        File.Delete(path);
    }

    private async Task<RecordingSink> Run(string cell)
    {
        var sink = new RecordingSink();
        await _engine.ExecuteAsync(cell, sink);
        Assert.Empty(sink.Errors);
        return sink;
    }

    private sealed class OrderSink(RecordingSink inner, List<string> order) : IExecutionSink
    {
        public void Stream(string name, string text)
        {
            order.Add($"{name}:{text}");
            inner.Stream(name, text);
        }

        public void Display(IReadOnlyDictionary<string, string> bundle, string displayId, bool update) => order.Add("display");

        public void Result(IReadOnlyDictionary<string, string> bundle) => order.Add("result");

        public void Error(CellError error) => order.Add("error: " + error.Value);
    }
}
