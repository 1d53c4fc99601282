using InterpKernel.Kernel.Execution;

namespace InterpKernel.Kernel.Tests;

/// <summary>Keeps every output of a cell for assertions.</summary>
internal sealed class RecordingSink : IExecutionSink
{
    private readonly object _gate = new();

    public List<(string Name, string Text)> Streams { get; } = [];

    public List<(IReadOnlyDictionary<string, string> Bundle, string DisplayId, bool Update)> Displays { get; } = [];

    public List<IReadOnlyDictionary<string, string>> Results { get; } = [];

    public List<CellError> Errors { get; } = [];

    /// <summary>Everything written to stdout so far; safe to poll while the cell runs.</summary>
    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return string.Concat(Streams.Where(s => s.Name == "stdout").Select(s => s.Text));
            }
        }
    }

    public void Stream(string name, string text)
    {
        lock (_gate)
        {
            Streams.Add((name, text));
        }
    }

    public void Display(IReadOnlyDictionary<string, string> bundle, string displayId, bool update)
    {
        lock (_gate)
        {
            Displays.Add((bundle, displayId, update));
        }
    }

    public void Result(IReadOnlyDictionary<string, string> bundle) => Results.Add(bundle);

    public void Error(CellError error) => Errors.Add(error);
}
