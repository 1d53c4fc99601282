using System.Text.Json.Nodes;

namespace InterpKernel.Kernel.Handlers;

/// <summary>Answers <c>history_request</c>: the kernel keeps no history across sessions.</summary>
public sealed class HistoryHandler : IMessageHandler
{
    /// <inheritdoc />
    public string MessageType => "history_request";

    /// <inheritdoc />
    public Task HandleAsync(RequestContext context)
    {
        context.Reply("history_reply", new JsonObject { ["status"] = "ok", ["history"] = new JsonArray() });
        return Task.CompletedTask;
    }
}
