using System.Globalization;
using System.Text;
using System.Text.Json;

namespace InterpKernel.Bench.Gpu;

/// <summary>What the GPU bench measured: parity checks (value and bound) and timings by key, as markdown and JSON.</summary>
internal sealed class Results
{
    readonly List<(string Check, double Value, double? Bound)> _parity = new();
    readonly SortedDictionary<string, double> _values = new(StringComparer.Ordinal);
    readonly List<string> _notes = new();

    public void Parity(string check, double value, double? bound)
    {
        _parity.Add((check, value, bound));
        Console.Error.WriteLine($"parity: {check}: {value:G3}");
    }

    public void Value(string key, double value)
    {
        _values[key] = value;
        Console.Error.WriteLine($"{key}: {value:G4}");
    }

    public void Note(string note)
    {
        _notes.Add(note);
        Console.Error.WriteLine("note: " + note);
    }

    public bool AllPassed => _parity.All(p => p.Bound is not { } b || p.Value <= b);

    public string ToJson() => JsonSerializer.Serialize(new
    {
        parity = _parity.Select(p => new { check = p.Check, value = p.Value, bound = p.Bound, pass = p.Bound is not { } b || p.Value <= b }),
        values = _values,
        notes = _notes,
    }, new JsonSerializerOptions { WriteIndented = true });

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        if (_parity.Count > 0)
        {
            sb.AppendLine("| parity check | value | bound | |").AppendLine("| --- | ---: | ---: | --- |");
            foreach (var (check, value, bound) in _parity)
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {check} | {value:G3} | {(bound is { } b ? b.ToString("G3", CultureInfo.InvariantCulture) : "")} | {(bound is not { } c || value <= c ? "pass" : "**FAIL**")} |");
            sb.AppendLine();
        }
        sb.AppendLine("| measure | value |").AppendLine("| --- | ---: |");
        foreach (var (key, value) in _values) sb.AppendLine(CultureInfo.InvariantCulture, $"| {key} | {value:G4} |");
        foreach (var note in _notes) sb.AppendLine().AppendLine(note);
        return sb.ToString();
    }
}
