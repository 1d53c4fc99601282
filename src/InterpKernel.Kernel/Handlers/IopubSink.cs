using System.Text.Json.Nodes;
using InterpKernel.Kernel.Execution;

namespace InterpKernel.Kernel.Handlers;

/// <summary>Publishes the outputs of one execute request on iopub; a silent request publishes nothing.</summary>
internal sealed class IopubSink : IExecutionSink
{
    private readonly RequestContext _context;
    private readonly bool _silent;
    private readonly int _executionCount;

    private readonly bool _allowStdin;

    public IopubSink(RequestContext context, bool silent, int executionCount, bool allowStdin = false)
    {
        _allowStdin = allowStdin;
        _context = context;
        _silent = silent;
        _executionCount = executionCount;
    }

    public string? ReadInput(string prompt, CancellationToken cancellationToken) =>
        _allowStdin && _context.RequestInput is { } ask ? ask(prompt, cancellationToken) : null;

    public void Stream(string name, string text)
    {
        if (!_silent)
        {
            _context.Publish("stream", new JsonObject { ["name"] = name, ["text"] = text });
        }
    }

    public void Display(IReadOnlyDictionary<string, string> bundle, string displayId, bool update)
    {
        if (!_silent)
        {
            _context.Publish(update ? "update_display_data" : "display_data", new JsonObject
            {
                ["data"] = ToJson(bundle),
                ["metadata"] = new JsonObject(),
                ["transient"] = new JsonObject { ["display_id"] = displayId },
            });
        }
    }

    public void Result(IReadOnlyDictionary<string, string> bundle)
    {
        if (!_silent)
        {
            _context.Publish("execute_result", new JsonObject
            {
                ["execution_count"] = _executionCount,
                ["data"] = ToJson(bundle),
                ["metadata"] = new JsonObject(),
            });
        }
    }

    public void ClearOutput(bool wait)
    {
        if (!_silent)
        {
            _context.Publish("clear_output", new JsonObject { ["wait"] = wait });
        }
    }

    public void Error(CellError error)
    {
        if (!_silent)
        {
            _context.Publish("error", ErrorContent(error));
        }
    }

    public static JsonObject ErrorContent(CellError error) => new()
    {
        ["ename"] = error.Name,
        ["evalue"] = error.Value,
        ["traceback"] = new JsonArray(error.Traceback.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
    };

    private static JsonObject ToJson(IReadOnlyDictionary<string, string> bundle)
    {
        var data = new JsonObject();
        foreach (var (mime, value) in bundle)
        {
            data[mime] = value;
        }

        return data;
    }
}
