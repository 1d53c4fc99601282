using System.Diagnostics;
using InterpKernel.Kernel.Execution;

namespace InterpKernel.Kernel.Tests;

/// <summary>Cells that never check for cancellation themselves still stop when interrupted.</summary>
public sealed class InterruptTests : IDisposable
{
    private readonly CellEngine _engine = new();

    public void Dispose() => _engine.Dispose();

    [Theory]
    [InlineData("Console.WriteLine(\"spinning\"); Thread.Sleep(Timeout.Infinite);")]
    [InlineData("Console.WriteLine(\"spinning\"); System.Threading.Thread.Sleep(600_000);")]
    [InlineData("Console.WriteLine(\"spinning\"); Thread.Sleep(TimeSpan.FromMinutes(10));")]
    [InlineData("Console.WriteLine(\"spinning\"); var n = 0;\nloop: n++;\ngoto loop;")]
    [InlineData("Console.WriteLine(\"spinning\"); await Task.Delay(600_000);")]
    [InlineData("class Napper { public static void Nap() => Thread.Sleep(600_000); }\nConsole.WriteLine(\"spinning\"); Napper.Nap();")]
    public async Task A_cell_that_ignores_cancellation_stops_at_once_when_interrupted(string code)
    {
        var sink = new RecordingSink();
        var cell = _engine.ExecuteAsync("var kept = 7;\n" + code, sink);
        await CellEngineTests.Started(cell, sink);
        var clock = Stopwatch.StartNew();
        _engine.Interrupt();
        var outcome = await cell.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(clock.Elapsed < CellEngine.InterruptGrace, $"the interrupt took {clock.Elapsed}");
        Assert.Equal("OperationCanceledException", outcome.Error!.Name);
        var next = new RecordingSink();
        await _engine.ExecuteAsync("kept * 6", next);
        Assert.Equal("42", Assert.Single(next.Results)["text/plain"]);
    }

    [Fact]
    public async Task Sleeping_without_an_interrupt_still_sleeps()
    {
        var sink = new RecordingSink();
        var clock = Stopwatch.StartNew();
        await _engine.ExecuteAsync("Thread.Sleep(300); await Task.Delay(300); \"slept\"", sink);

        Assert.True(sink.Errors.Count == 0, string.Join("\n", sink.Errors.Select(e => e.Value)));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(590), $"slept only {clock.Elapsed}");
        Assert.Equal("slept", Assert.Single(sink.Results)["text/plain"]);
    }
}
