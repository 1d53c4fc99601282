using System.Text.Json.Nodes;

namespace InterpKernel.Kernel.Handlers;

/// <summary>Answers <c>comm_info_request</c>: this kernel opens no comms.</summary>
public sealed class CommInfoHandler : IMessageHandler
{
    /// <inheritdoc />
    public string MessageType => "comm_info_request";

    /// <inheritdoc />
    public Task HandleAsync(RequestContext context)
    {
        context.Reply("comm_info_reply", new JsonObject { ["status"] = "ok", ["comms"] = new JsonObject() });
        return Task.CompletedTask;
    }
}
