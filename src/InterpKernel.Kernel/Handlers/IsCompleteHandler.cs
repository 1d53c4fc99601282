using System.Text.Json.Nodes;
using InterpKernel.Kernel.Execution;

namespace InterpKernel.Kernel.Handlers;

/// <summary>Answers <c>is_complete_request</c> with Roslyn's notion of a complete submission.</summary>
public sealed class IsCompleteHandler : IMessageHandler
{
    /// <inheritdoc />
    public string MessageType => "is_complete_request";

    /// <inheritdoc />
    public Task HandleAsync(RequestContext context)
    {
        var status = CellEngine.IsComplete((string?)context.Request.Content["code"] ?? "");
        var reply = new JsonObject { ["status"] = status };
        if (status == "incomplete")
        {
            reply["indent"] = "    ";
        }

        context.Reply("is_complete_reply", reply);
        return Task.CompletedTask;
    }
}
