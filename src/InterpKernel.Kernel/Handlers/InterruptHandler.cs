using System.Text.Json.Nodes;
using InterpKernel.Kernel.Execution;

namespace InterpKernel.Kernel.Handlers;

/// <summary>Answers <c>interrupt_request</c> (control channel) by cancelling the running cell.</summary>
public sealed class InterruptHandler : IMessageHandler
{
    private readonly CellEngine _engine;

    /// <summary>Creates the handler over an engine.</summary>
    /// <param name="engine">The engine whose running cell is cancelled.</param>
    public InterruptHandler(CellEngine engine)
    {
        _engine = engine;
    }

    /// <inheritdoc />
    public string MessageType => "interrupt_request";

    /// <inheritdoc />
    public Task HandleAsync(RequestContext context)
    {
        _engine.Interrupt();
        context.Reply("interrupt_reply", new JsonObject { ["status"] = "ok" });
        return Task.CompletedTask;
    }
}
