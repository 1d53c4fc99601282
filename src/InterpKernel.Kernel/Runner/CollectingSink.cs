using System.Text.Json.Nodes;
using InterpKernel.Kernel.Execution;

namespace InterpKernel.Kernel.Runner;

/// <summary>Collects the outputs of one cell as nbformat 4 output objects.</summary>
internal sealed class CollectingSink : IExecutionSink
{
    private readonly int _executionCount;
    private readonly Dictionary<string, JsonObject> _displays = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public CollectingSink(int executionCount)
    {
        _executionCount = executionCount;
    }

    private bool _clearOnNextOutput;

    public JsonArray Outputs { get; } = new();

    public void ClearOutput(bool wait)
    {
        lock (_gate)
        {
            if (wait)
            {
                _clearOnNextOutput = true;
                return;
            }

            Outputs.Clear();
            _displays.Clear();
        }
    }

    // Called under the lock before any output is added.
    private void ClearIfWaiting()
    {
        if (_clearOnNextOutput)
        {
            _clearOnNextOutput = false;
            Outputs.Clear();
            _displays.Clear();
        }
    }

    public void Stream(string name, string text)
    {
        lock (_gate)
        {
            ClearIfWaiting();
            // Consecutive writes to one stream read as one output, as Jupyter front ends show them.
            if (Outputs.Count > 0 && Outputs[^1] is JsonObject last && (string?)last["output_type"] == "stream" && (string?)last["name"] == name)
            {
                last["text"] = (string?)last["text"] + text;
                return;
            }

            Outputs.Add(new JsonObject { ["output_type"] = "stream", ["name"] = name, ["text"] = text });
        }
    }

    public void Display(IReadOnlyDictionary<string, string> bundle, string displayId, bool update)
    {
        lock (_gate)
        {
            if (update && _displays.TryGetValue(displayId, out var shown))
            {
                shown["data"] = Data(bundle);
                return;
            }

            ClearIfWaiting();
            var output = new JsonObject { ["output_type"] = "display_data", ["data"] = Data(bundle), ["metadata"] = new JsonObject() };
            _displays[displayId] = output;
            Outputs.Add(output);
        }
    }

    public void Result(IReadOnlyDictionary<string, string> bundle)
    {
        lock (_gate)
        {
            ClearIfWaiting();
            Outputs.Add(new JsonObject
            {
                ["output_type"] = "execute_result", ["execution_count"] = _executionCount, ["data"] = Data(bundle),
                ["metadata"] = new JsonObject(),
            });
        }
    }

    public void Error(CellError error)
    {
        lock (_gate)
        {
            ClearIfWaiting();
            Outputs.Add(new JsonObject
            {
                ["output_type"] = "error", ["ename"] = error.Name, ["evalue"] = error.Value,
                ["traceback"] = new JsonArray(error.Traceback.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
            });
        }
    }

    private static JsonObject Data(IReadOnlyDictionary<string, string> bundle)
    {
        var data = new JsonObject();
        foreach (var (mime, value) in bundle)
        {
            data[mime] = value;
        }

        return data;
    }
}
