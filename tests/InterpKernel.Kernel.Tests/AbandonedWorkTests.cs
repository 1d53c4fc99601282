using System.Runtime.CompilerServices;
using InterpKernel.Kernel.Execution;

namespace InterpKernel.Kernel.Tests;

/// <summary>
/// An interrupted cell does not only end with an error: the code it ran stops too, so that no thread of it keeps a
/// core busy afterwards. The cells count their iterations in a box the test reads.
/// </summary>
public sealed class AbandonedWorkTests : IDisposable
{
    private const string Box = "var box = (System.Runtime.CompilerServices.StrongBox<long>)AppContext.GetData(\"interp-kernel-test-spins\")!;\n";

    private readonly CellEngine _engine = new();
    private readonly StrongBox<long> _spins = new();

    public AbandonedWorkTests()
    {
        AppContext.SetData("interp-kernel-test-spins", _spins);
    }

    public void Dispose() => _engine.Dispose();

    [Theory]
    [InlineData("while (true) { Interlocked.Increment(ref box.Value); }")]
    [InlineData("for (;;) Interlocked.Increment(ref box.Value);")]
    [InlineData("do { Interlocked.Increment(ref box.Value); } while (true);")]
    [InlineData("spin: Interlocked.Increment(ref box.Value); goto spin;")]
    [InlineData("SpinWait.SpinUntil(() => Interlocked.Increment(ref box.Value) < 0);")]
    [InlineData("Enumerable.Range(0, int.MaxValue).Select(i => Interlocked.Increment(ref box.Value)).Count()")]
    [InlineData("Enumerable.Repeat(0, int.MaxValue).All(i => Interlocked.Increment(ref box.Value) > 0)")]
    [InlineData("Parallel.For(0, int.MaxValue, i => Interlocked.Increment(ref box.Value));")]
    [InlineData("await Task.Run(() => { while (true) Interlocked.Increment(ref box.Value); });")]
    [InlineData("Func<long> step = static () => Interlocked.Increment(ref ((System.Runtime.CompilerServices.StrongBox<long>)AppContext.GetData(\"interp-kernel-test-spins\")!).Value);\nwhile (step() > 0) { }")]
    public async Task A_spinning_cell_stops_for_real_when_interrupted(string spin)
    {
        var sink = new RecordingSink();
        var cell = _engine.ExecuteAsync(Box + "Console.WriteLine(\"spinning\");\n" + spin, sink);
        await CellEngineTests.Started(cell, sink);
        await SpinsAsync(grows: true);
        _engine.Interrupt();
        var outcome = await cell.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("OperationCanceledException", outcome.Error!.Name);
        Assert.StartsWith("The cell was interrupted", outcome.Error.Value);
        await SpinsAsync(grows: false);
    }

    [Fact]
    public async Task Expression_lambdas_still_return_their_values_and_expression_trees_are_left_alone()
    {
        var sink = new RecordingSink();
        await _engine.ExecuteAsync("""
            Func<int, int> twice = x => x * 2;
            Action<List<int>> add = l => l.Add(1);
            Func<Task<int>> later = async () => await Task.FromResult(3);
            Func<Task> nothing = async () => await Task.Yield();
            System.Linq.Expressions.Expression<Func<int, int>> tree = x => x + 1;
            var list = new List<int>(); add(list); await nothing();
            $"{twice(21)} {list.Count} {await later()} {tree.Compile()(1)} {tree.Body}"
            """, sink);

        Assert.True(sink.Errors.Count == 0, string.Join("\n", sink.Errors.Select(e => e.Value)));
        Assert.Equal("42 1 3 2 (x + 1)", Assert.Single(sink.Results)["text/plain"]);
    }

    // Whether the box still counts: it must grow while the cell spins, and stay put once the cell has ended.
    private async Task SpinsAsync(bool grows)
    {
        var before = Interlocked.Read(ref _spins.Value);
        await Task.Delay(grows ? 200 : 1000);
        var after = Interlocked.Read(ref _spins.Value);
        Assert.True(grows ? after > before : after == before, $"{(grows ? "not spinning" : "still spinning")}: {before} then {after}");
    }
}
