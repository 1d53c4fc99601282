using System.Text.Json.Nodes;
using InterpKernel.Kernel.Execution;

namespace InterpKernel.Kernel.Handlers;

/// <summary>
/// Answers <c>execute_request</c>: runs the cell and reports its outputs and status. When a cell fails and its
/// request asked <c>stop_on_error</c> (the default), every execute request that had already arrived by then is
/// answered <c>aborted</c> without running, as ipykernel does, so "Run All" stops at the first error.
/// </summary>
public sealed class ExecuteHandler : IMessageHandler
{
    private readonly CellEngine _engine;
    private readonly Func<long> _latestArrival;
    private readonly History.HistoryStore? _history;
    private int _executionCount;
    private long _abortThrough;

    /// <summary>Creates the handler over an engine.</summary>
    /// <param name="engine">The engine that runs cells.</param>
    /// <param name="latestArrival">The <see cref="RequestContext.Arrival"/> of the latest request received; without it no queued request is aborted.</param>
    /// <param name="history">Where the inputs of cells that store history are recorded; null records none.</param>
    public ExecuteHandler(CellEngine engine, Func<long>? latestArrival = null, History.HistoryStore? history = null)
    {
        _history = history;
        _engine = engine;
        _latestArrival = latestArrival ?? (() => 0);
    }

    /// <inheritdoc />
    public string MessageType => "execute_request";

    /// <inheritdoc />
    public async Task HandleAsync(RequestContext context)
    {
        var content = context.Request.Content;
        var code = (string?)content["code"] ?? "";
        var silent = (bool?)content["silent"] ?? false;
        var storeHistory = !silent && ((bool?)content["store_history"] ?? true);
        if (context.Arrival > 0 && context.Arrival <= _abortThrough)
        {
            context.Reply("execute_reply", new JsonObject { ["status"] = "aborted", ["execution_count"] = _executionCount });
            return;
        }

        if (storeHistory)
        {
            _executionCount++;
            _history?.Add(_executionCount, code);
        }

        var count = _executionCount;
        if (!silent)
        {
            context.Publish("execute_input", new JsonObject { ["code"] = code, ["execution_count"] = count });
        }

        CellOutcome outcome;
        using (NativeCrash.Report(crash => ReportCrash(context, crash.ToCellError(code), count, silent)))
        {
            outcome = await _engine.ExecuteAsync(code, new IopubSink(context, silent, count, (bool?)content["allow_stdin"] ?? false)).ConfigureAwait(false);
        }

        if (outcome.Error is { } error)
        {
            var reply = IopubSink.ErrorContent(error);
            reply["status"] = "error";
            reply["execution_count"] = count;
            if (!silent && ((bool?)content["stop_on_error"] ?? true))
            {
                _abortThrough = Math.Max(_abortThrough, _latestArrival());
            }

            context.Reply("execute_reply", reply);
            return;
        }

        context.Reply("execute_reply", new JsonObject
        {
            ["status"] = "ok",
            ["execution_count"] = count,
            ["payload"] = new JsonArray(),
            ["user_expressions"] = new JsonObject(),
        });
    }

    // The process is about to end: the front end gets the cell's error, its reply and the idle status that the
    // dispatcher would have sent, and they are given a moment to leave before the process aborts.
    private static void ReportCrash(RequestContext context, CellError error, int count, bool silent)
    {
        if (!silent)
        {
            context.Publish("error", IopubSink.ErrorContent(error));
        }

        var reply = IopubSink.ErrorContent(error);
        reply["status"] = "error";
        reply["execution_count"] = count;
        context.Reply("execute_reply", reply);
        context.Publish("status", new JsonObject { ["execution_state"] = "idle" });
        context.Flush?.Invoke(TimeSpan.FromSeconds(2));
    }
}
