using System.CommandLine;
using System.Diagnostics;
using InterpKernel.Kernel.Execution;
using InterpKernel.Notebook.Hosting;

namespace InterpKernel.Kernel.Tests;

public sealed class CellEngineTests : IDisposable
{
    private readonly CellEngine _engine = new();

    public void Dispose() => _engine.Dispose();

    [Fact]
    public async Task Variables_declared_in_one_cell_are_visible_in_the_next()
    {
        await Run("var x = 40;");
        var sink = await Run("x + 2");

        Assert.Equal("42", Assert.Single(sink.Results)["text/plain"]);
    }

    [Fact]
    public async Task A_cell_using_a_framework_assembly_outside_the_common_references_still_compiles()
    {
        var json = await Run("System.Text.Json.JsonSerializer.Serialize(new[] { 1, 2 })");
        var xml = await Run("new System.Xml.Linq.XElement(\"a\", 1).ToString()");
        var typo = new RecordingSink();
        await _engine.ExecuteAsync("Consol.WriteLine(1);", typo);

        Assert.Equal("[1,2]", Assert.Single(json.Results)["text/plain"]);
        Assert.Equal("<a>1</a>", Assert.Single(xml.Results)["text/plain"]);
        Assert.Contains("CS0103", Assert.Single(typo.Errors).Value);
    }

    [Fact]
    public async Task A_cell_ending_with_a_statement_has_no_result()
    {
        var sink = await Run("var y = 1;\nConsole.WriteLine(y)");

        Assert.Empty(sink.Results);
        Assert.Equal("1\n", sink.Stdout);
    }

    [Fact]
    public async Task Console_output_streams_while_the_cell_runs()
    {
        var sink = new RecordingSink();
        var seenBeforeEnd = false;
        var cell = _engine.ExecuteAsync("Console.WriteLine(\"first\"); await Task.Delay(600); Console.WriteLine(\"second\");", sink);
        var deadline = Stopwatch.StartNew();
        while (!cell.IsCompleted && deadline.ElapsedMilliseconds < 30_000)
        {
            lock (sink.Streams)
            {
                seenBeforeEnd |= sink.Stdout == "first\n";
            }

            await Task.Delay(20);
        }

        await cell;
        Assert.True(seenBeforeEnd, "the first line arrived only after the cell ended");
        Assert.Equal("first\nsecond\n", sink.Stdout);
    }

    [Fact]
    public async Task Display_sends_a_bundle_and_update_reuses_its_display_id()
    {
        var sink = await Run("var h = display(\"<b>hi</b>\", \"text/html\");\nh.Update(\"<b>bye</b>\", \"text/html\");");

        Assert.Equal(2, sink.Displays.Count);
        Assert.Equal("<b>hi</b>", sink.Displays[0].Bundle["text/html"]);
        Assert.False(sink.Displays[0].Update);
        Assert.Equal("<b>bye</b>", sink.Displays[1].Bundle["text/html"]);
        Assert.True(sink.Displays[1].Update);
        Assert.Equal(sink.Displays[0].DisplayId, sink.Displays[1].DisplayId);
    }

    [Fact]
    public async Task Compile_errors_give_line_and_column_within_the_cell()
    {
        var sink = await Run("#!help\nvar ok = 1;\nint bad = \"text\";");

        var error = Assert.Single(sink.Errors);
        Assert.Equal("CompilationError", error.Name);
        Assert.Equal("(3,11): error CS0029: Cannot implicitly convert type 'string' to 'int'", Assert.Single(error.Traceback));
    }

    [Fact]
    public async Task A_runtime_exception_reports_its_type_message_and_trimmed_stack()
    {
        var sink = await Run("int Divide(int a, int b) => a / b;\nDivide(1, 0)");

        var error = Assert.Single(sink.Errors);
        Assert.Equal("System.DivideByZeroException", error.Name);
        Assert.Equal("Attempted to divide by zero.", error.Value);
        Assert.Contains(error.Traceback, l => l.Contains("Divide", StringComparison.Ordinal));
        Assert.DoesNotContain(error.Traceback, l => l.Contains("Microsoft.CodeAnalysis.Scripting", StringComparison.Ordinal));

        var next = await Run("1 + 1");
        Assert.Equal("2", Assert.Single(next.Results)["text/plain"]);
    }

    [Fact]
    public async Task A_magic_with_bad_arguments_fails_the_cell_with_the_usage()
    {
        var sink = await Run("#!help first second");

        var error = Assert.Single(sink.Errors);
        Assert.Equal(nameof(MagicCommandException), error.Name);
        Assert.Contains("second", error.Value);
        Assert.Contains("Usage:", error.Value);
    }

    [Fact]
    public async Task Help_lists_registered_magics_including_ones_added_later()
    {
        var ran = new List<int>();
        var count = new Option<int>("--count") { Required = true };
        _engine.Host.Magics.Register(new MagicCommand(
            "repeat", "Records a count.", () => new Command("repeat") { count },
            (parse, host, _) =>
            {
                ran.Add(parse.GetValue(count));
                return Task.CompletedTask;
            }));

        var help = await Run("#!help");
        var repeat = await Run("#!repeat --count 3\n#!repeat --count 4");
        var missing = await Run("#!repeat");

        Assert.Contains("#!repeat", help.Stdout);
        Assert.Contains("#!help", help.Stdout);
        Assert.Empty(repeat.Errors);
        Assert.Equal([3, 4], ran);
        Assert.Contains("--count", Assert.Single(missing.Errors).Value);
    }

    [Fact]
    public async Task An_infinite_loop_is_interrupted_and_the_next_cell_runs()
    {
        var sink = new RecordingSink();
        var cell = _engine.ExecuteAsync("var before = 5;\nConsole.WriteLine(\"spinning\");\nwhile (true) { }", sink);
        await Started(cell, sink);
        var clock = Stopwatch.StartNew();
        _engine.Interrupt();
        var outcome = await cell.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the interrupt took {clock.Elapsed}");
        Assert.Equal("OperationCanceledException", outcome.Error!.Name);
        var next = await Run("before * 2");
        Assert.Equal("10", Assert.Single(next.Results)["text/plain"]);
    }

    [Fact]
    public async Task Loops_inside_methods_of_declared_classes_are_interrupted_too()
    {
        await Run("class Spinner { public int Spin() { var i = 0; Console.WriteLine(\"spinning\"); for (;;) { i++; } } }");
        var sink = new RecordingSink();
        var cell = _engine.ExecuteAsync("new Spinner().Spin()", sink);
        await Started(cell, sink);
        _engine.Interrupt();

        var outcome = await cell.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("OperationCanceledException", outcome.Error!.Name);
    }

    [Fact]
    public async Task An_interrupt_right_after_submitting_stops_the_cell_even_before_it_runs()
    {
        // A fresh engine may still be warming up the compiler: the interrupt must not be lost while the cell waits.
        using var engine = new CellEngine();
        var cell = engine.ExecuteAsync("while (true) { }", new RecordingSink());
        engine.Interrupt();

        var outcome = await cell.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("OperationCanceledException", outcome.Error!.Name);
        var next = new RecordingSink();
        Assert.Null((await engine.ExecuteAsync("1 + 1", next)).Error);
        Assert.Equal("2", Assert.Single(next.Results)["text/plain"]);
    }

    /// <summary>Waits until a cell has printed "spinning", i.e. it is past compilation and running its loop.</summary>
    internal static async Task Started(Task<CellOutcome> cell, RecordingSink sink)
    {
        var clock = Stopwatch.StartNew();
        while (!sink.Stdout.Contains("spinning", StringComparison.Ordinal))
        {
            Assert.False(cell.IsCompleted, $"the cell ended before it started spinning: {sink.Stdout}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the cell did not start within 60 s");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task SetVariable_binds_a_typed_variable_for_the_next_cell()
    {
        var sink = new RecordingSink();
        _engine.Host.Magics.Register(new MagicCommand(
            "bind", "Binds a list.", () => new Command("bind"),
            (_, host, _) =>
            {
                host.SetVariable("numbers", new List<int> { 1, 2, 3 });
                return Task.CompletedTask;
            }));
        await Run("#!bind");
        var result = await Run("numbers.Sum() + numbers.Count");

        Assert.Equal("9", Assert.Single(result.Results)["text/plain"]);
        Assert.True(_engine.Host.TryGetVariable("numbers", out var value));
        Assert.Equal([1, 2, 3], Assert.IsType<List<int>>(value));
    }

    [Fact]
    public async Task Completion_offers_members_after_a_dot_and_names_in_scope()
    {
        await Run("var message = \"hello\";");

        var members = _engine.Complete("message.To", 10);
        var names = _engine.Complete("var n = mes", 11);

        Assert.Contains("ToUpper", members.Matches);
        Assert.Equal(8, members.CursorStart);
        Assert.Equal(10, members.CursorEnd);
        Assert.Contains("message", names.Matches);
        Assert.Equal(8, names.CursorStart);
        Assert.Contains("Max", _engine.Complete("Math.Ma", 7).Matches);
        Assert.Contains("while", _engine.Complete("whi", 3).Matches);
    }

    [Fact]
    public async Task Inspection_shows_the_type_and_our_xml_summary()
    {
        await Run("var count = 3;");

        var local = _engine.Inspect("count", 5);
        var documented = _engine.Inspect("Kernel.Magics", 13);

        Assert.Equal("int", local!.Type);
        Assert.Contains("extensions register theirs here", documented!.Summary);
        Assert.Equal("MagicDispatcher", documented.Type);
    }

    [Fact]
    public async Task Completion_after_hash_bang_offers_magic_names_and_their_options()
    {
        await _engine.Ready;

        var partial = _engine.Complete("var a = 1;\n#!mo", 15);
        var all = _engine.Complete("#!", 2);
        var options = _engine.Complete("#!model load gpt2 --d", 21);

        Assert.Contains("#!model", partial.Matches);
        Assert.All(partial.Matches, m => Assert.StartsWith("#!mo", m));
        Assert.Equal(11, partial.CursorStart);
        Assert.Equal(15, partial.CursorEnd);
        Assert.Equal(_engine.Host.Magics.Commands.Select(m => "#!" + m.Name), all.Matches);
        Assert.Equal(0, all.CursorStart);
        Assert.Equal(["--device", "--dtype"], options.Matches);
        Assert.Equal(18, options.CursorStart);
        Assert.Contains("--no-process", _engine.Complete("#!model --", 10).Matches);
    }

    [Fact]
    public async Task Inspection_right_after_an_open_parenthesis_shows_the_called_method()
    {
        await Run("var count = 3;");

        var call = _engine.Inspect("Math.Sqrt(", 10);
        var nested = _engine.Inspect("Math.Max(1, Math.Abs(", 21);

        Assert.NotNull(call);
        Assert.Contains("Sqrt(double", call.Signature);
        Assert.Equal("double", call.Type);
        Assert.Contains("Abs(", nested!.Signature);
        Assert.Null(_engine.Inspect("(1 + ", 5));
    }

    [Theory]
    [InlineData("var x = 1;", "complete")]
    [InlineData("for (var i = 0; i < 3; i++) {", "incomplete")]
    [InlineData("#!help", "complete")]
    [InlineData("var x = );", "invalid")]
    public void Completeness_follows_roslyn_submissions(string code, string expected) =>
        Assert.Equal(expected, CellEngine.IsComplete(code));

    private async Task<RecordingSink> Run(string code)
    {
        var sink = new RecordingSink();
        await _engine.ExecuteAsync(code, sink);
        return sink;
    }
}
