using System.Text.Json.Nodes;
using InterpKernel.Kernel.Execution;

namespace InterpKernel.Kernel.Handlers;

/// <summary>Answers <c>inspect_request</c> with the signature, type and documentation of the symbol at the cursor.</summary>
public sealed class InspectHandler : IMessageHandler
{
    private readonly CellEngine _engine;

    /// <summary>Creates the handler over an engine.</summary>
    /// <param name="engine">The engine whose script state resolves symbols.</param>
    public InspectHandler(CellEngine engine)
    {
        _engine = engine;
    }

    /// <inheritdoc />
    public string MessageType => "inspect_request";

    /// <inheritdoc />
    public Task HandleAsync(RequestContext context)
    {
        var code = (string?)context.Request.Content["code"] ?? "";
        var cursor = (int?)context.Request.Content["cursor_pos"] ?? code.Length;
        var result = _engine.Inspect(code, cursor);
        var data = new JsonObject();
        if (result is not null)
        {
            data["text/plain"] = result.ToText();
        }

        context.Reply("inspect_reply", new JsonObject
        {
            ["status"] = "ok",
            ["found"] = result is not null,
            ["data"] = data,
            ["metadata"] = new JsonObject(),
        });
        return Task.CompletedTask;
    }
}
