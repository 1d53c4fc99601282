using System.Text.Json.Nodes;
using InterpKernel.Kernel.Execution;

namespace InterpKernel.Kernel.Handlers;

/// <summary>Answers <c>complete_request</c> from the semantic model of the cell.</summary>
public sealed class CompleteHandler : IMessageHandler
{
    private readonly CellEngine _engine;

    /// <summary>Creates the handler over an engine.</summary>
    /// <param name="engine">The engine whose script state gives the names in scope.</param>
    public CompleteHandler(CellEngine engine)
    {
        _engine = engine;
    }

    /// <inheritdoc />
    public string MessageType => "complete_request";

    /// <inheritdoc />
    public Task HandleAsync(RequestContext context)
    {
        var code = (string?)context.Request.Content["code"] ?? "";
        var cursor = (int?)context.Request.Content["cursor_pos"] ?? code.Length;
        var result = _engine.Complete(code, cursor);
        context.Reply("complete_reply", new JsonObject
        {
            ["status"] = "ok",
            ["matches"] = new JsonArray(result.Matches.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
            ["cursor_start"] = result.CursorStart,
            ["cursor_end"] = result.CursorEnd,
            ["metadata"] = new JsonObject(),
        });
        return Task.CompletedTask;
    }
}
