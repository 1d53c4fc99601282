using System.Text.Json.Nodes;
using InterpKernel.Kernel.History;

namespace InterpKernel.Kernel.Handlers;

/// <summary>Answers <c>history_request</c> from the per-user <see cref="HistoryStore"/>: tail, range and search.</summary>
public sealed class HistoryHandler : IMessageHandler
{
    private readonly HistoryStore? _store;

    /// <summary>Creates the handler over a store; without one every request gets an empty history.</summary>
    /// <param name="store">The history.</param>
    public HistoryHandler(HistoryStore? store = null)
    {
        _store = store;
    }

    /// <inheritdoc />
    public string MessageType => "history_request";

    /// <inheritdoc />
    public Task HandleAsync(RequestContext context)
    {
        var content = context.Request.Content;
        var output = (bool?)content["output"] ?? false;
        var n = (int?)content["n"] ?? 10;
        IReadOnlyList<HistoryEntry> entries = _store is null ? [] : ((string?)content["hist_access_type"]) switch
        {
            "tail" => _store.Tail(n),
            "range" => _store.Range((int?)content["session"] ?? 0, (int?)content["start"] ?? 0, (int?)content["stop"]),
            "search" => _store.Search((string?)content["pattern"] ?? "*", n, (bool?)content["unique"] ?? false),
            _ => [],
        };
        context.Reply("history_reply", new JsonObject { ["status"] = "ok", ["history"] = HistoryStore.ToReply(entries, output) });
        return Task.CompletedTask;
    }
}
