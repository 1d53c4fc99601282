using System.Text.Json.Nodes;
using InterpKernel.Kernel.Transport;

namespace InterpKernel.Kernel.Handlers;

/// <summary>
/// The table from msg_type to handler, and the one place that wraps every request in busy/idle status and
/// turns a handler failure into an error reply. An unknown msg_type is logged and ignored.
/// </summary>
public sealed class MessageDispatcher
{
    private readonly Dictionary<string, IMessageHandler> _handlers = new(StringComparer.Ordinal);

    /// <summary>Creates a dispatcher over the given handlers.</summary>
    /// <param name="handlers">One handler per msg_type.</param>
    public MessageDispatcher(IEnumerable<IMessageHandler> handlers)
    {
        foreach (var handler in handlers)
        {
            if (!_handlers.TryAdd(handler.MessageType, handler))
            {
                throw new ArgumentException($"Two handlers serve '{handler.MessageType}': register one.", nameof(handlers));
            }
        }
    }

    /// <summary>The msg_types this dispatcher serves.</summary>
    public IReadOnlyCollection<string> MessageTypes => _handlers.Keys;

    /// <summary>Serves one request.</summary>
    /// <param name="context">The request.</param>
    public async Task DispatchAsync(RequestContext context)
    {
        var type = context.Request.MessageType;
        context.Publish("status", new JsonObject { ["execution_state"] = "busy" });
        try
        {
            if (_handlers.TryGetValue(type, out var handler))
            {
                await handler.HandleAsync(context).ConfigureAwait(false);
            }
            else
            {
                KernelLog.Write($"Ignored a message of unknown type '{type}' on {context.Channel}.");
            }
        }
        catch (Exception e)
        {
            KernelLog.Write($"Handler for '{type}' failed: {e}");
            if (!context.Replied && type.EndsWith("_request", StringComparison.Ordinal))
            {
                context.Reply(type[..^"_request".Length] + "_reply", new JsonObject
                {
                    ["status"] = "error",
                    ["ename"] = e.GetType().Name,
                    ["evalue"] = e.Message,
                    ["traceback"] = new JsonArray(),
                });
            }
        }
        finally
        {
            context.Publish("status", new JsonObject { ["execution_state"] = "idle" });
        }
    }
}
