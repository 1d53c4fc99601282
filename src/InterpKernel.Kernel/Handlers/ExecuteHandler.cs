using System.Text.Json.Nodes;
using InterpKernel.Kernel.Execution;

namespace InterpKernel.Kernel.Handlers;

/// <summary>Answers <c>execute_request</c>: runs the cell and reports its outputs and status.</summary>
public sealed class ExecuteHandler : IMessageHandler
{
    private readonly CellEngine _engine;
    private int _executionCount;

    /// <summary>Creates the handler over an engine.</summary>
    /// <param name="engine">The engine that runs cells.</param>
    public ExecuteHandler(CellEngine engine)
    {
        _engine = engine;
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
        if (storeHistory)
        {
            _executionCount++;
        }

        var count = _executionCount;
        if (!silent)
        {
            context.Publish("execute_input", new JsonObject { ["code"] = code, ["execution_count"] = count });
        }

        var outcome = await _engine.ExecuteAsync(code, new IopubSink(context, silent, count)).ConfigureAwait(false);
        if (outcome.Error is { } error)
        {
            var reply = IopubSink.ErrorContent(error);
            reply["status"] = "error";
            reply["execution_count"] = count;
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
}
