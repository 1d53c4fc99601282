using System.Text.Json.Nodes;

namespace InterpKernel.Kernel.Handlers;

/// <summary>Answers <c>shutdown_request</c> and stops the kernel; a restart is the front end's job.</summary>
public sealed class ShutdownHandler : IMessageHandler
{
    private readonly Action _stop;

    /// <summary>Creates the handler.</summary>
    /// <param name="stop">Stops the kernel after the reply is sent.</param>
    public ShutdownHandler(Action stop)
    {
        _stop = stop;
    }

    /// <inheritdoc />
    public string MessageType => "shutdown_request";

    /// <inheritdoc />
    public Task HandleAsync(RequestContext context)
    {
        var restart = (bool?)context.Request.Content["restart"] ?? false;
        context.Reply("shutdown_reply", new JsonObject { ["status"] = "ok", ["restart"] = restart });
        _stop();
        return Task.CompletedTask;
    }
}
