using System.Text.Json.Nodes;

namespace InterpKernel.Sweeps;

/// <summary>
/// Typed reading of a spec's <c>options</c> with clear errors: each getter records the name it was asked for, so
/// names nobody asked for are reported as unknown (with the nearest known name).
/// </summary>
public sealed class SweepOptions
{
    readonly JsonObject _options;
    readonly HashSet<string> _asked = new(StringComparer.Ordinal);

    /// <summary>Reads <paramref name="options"/>.</summary>
    public SweepOptions(JsonObject options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>An integer option, or <paramref name="fallback"/> when absent.</summary>
    public int Int(string name, int fallback, List<string>? problems = null, int min = int.MinValue) =>
        Read(name, fallback, problems, v => v.TryGetValue<int>(out var i) && i >= min ? i : null, min == int.MinValue ? "an integer" : $"an integer of at least {min}");

    /// <summary>A number option, or <paramref name="fallback"/> when absent.</summary>
    public double Double(string name, double fallback, List<string>? problems = null) =>
        Read(name, fallback, problems, v => v.TryGetValue<double>(out var d) ? d : null, "a number");

    /// <summary>A true/false option, or <paramref name="fallback"/> when absent.</summary>
    public bool Bool(string name, bool fallback, List<string>? problems = null) =>
        Read(name, fallback, problems, v => v.TryGetValue<bool>(out var b) ? b : null, "true or false");

    /// <summary>A string option, or <paramref name="fallback"/> when absent.</summary>
    public string String(string name, string fallback, List<string>? problems = null) =>
        Read(name, fallback, problems, v => v.TryGetValue<string>(out var s) ? s : null, "a string");

    /// <summary>A list-of-integers option, or <c>null</c> when absent.</summary>
    public int[]? Ints(string name, List<string>? problems = null)
    {
        _asked.Add(name);
        return _options[name] switch
        {
            null => null,
            JsonArray a when a.All(x => x is JsonValue v && v.TryGetValue<int>(out _)) => a.Select(x => x!.GetValue<int>()).ToArray(),
            _ => Fail<int[]?>(problems, $"option '{name}' must be a list of integers", null),
        };
    }

    /// <summary>A list-of-strings option (a single string counts as a list of one), or <c>null</c> when absent.</summary>
    public string[]? Strings(string name, List<string>? problems = null)
    {
        _asked.Add(name);
        return _options[name] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var one) => [one],
            JsonArray a when a.All(x => x is JsonValue v && v.TryGetValue<string>(out _)) => a.Select(x => x!.GetValue<string>()).ToArray(),
            _ => Fail<string[]?>(problems, $"option '{name}' must be a string or a list of strings", null),
        };
    }

    /// <summary>A <c>[min, max]</c> option with min &lt; max, or <c>null</c> when absent.</summary>
    public (double Min, double Max)? Range(string name, List<string>? problems = null)
    {
        _asked.Add(name);
        if (_options[name] is null) return null;
        if (_options[name] is JsonArray { Count: 2 } a && a[0] is JsonValue lo && lo.TryGetValue<double>(out var min)
            && a[1] is JsonValue hi && hi.TryGetValue<double>(out var max) && max > min)
            return (min, max);
        return Fail<(double, double)?>(problems, $"option '{name}' must be [min, max] with min < max", null);
    }

    /// <summary>Adds a problem for each option no getter asked for.</summary>
    public void ReportUnknown(List<string> problems, string analysis)
    {
        ArgumentNullException.ThrowIfNull(problems);
        foreach (var (key, _) in _options)
            if (!_asked.Contains(key))
                problems.Add($"unknown option '{key}'{Suggest(key, _asked)} for {analysis}: its options are {string.Join(", ", _asked.Order(StringComparer.Ordinal))}");
    }

    /// <summary><c> (did you mean 'x'?)</c> for the candidate nearest <paramref name="name"/>, or nothing when none is near.</summary>
    public static string Suggest(string name, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(candidates);
        var best = candidates.Select(c => (c, d: Distance(name.ToLowerInvariant(), c.ToLowerInvariant()))).OrderBy(x => x.d).FirstOrDefault();
        return best.c is not null && best.d <= Math.Max(2, name.Length / 3) ? $" (did you mean '{best.c}'?)" : "";
    }

    T Read<T>(string name, T fallback, List<string>? problems, Func<JsonValue, T?> parse, string expected) where T : struct
    {
        _asked.Add(name);
        if (_options[name] is null) return fallback;
        if (_options[name] is JsonValue v && parse(v) is { } value) return value;
        return Fail(problems, $"option '{name}' must be {expected}, got {_options[name]!.ToJsonString()}", fallback);
    }

    string Read(string name, string fallback, List<string>? problems, Func<JsonValue, string?> parse, string expected)
    {
        _asked.Add(name);
        if (_options[name] is null) return fallback;
        if (_options[name] is JsonValue v && parse(v) is { } value) return value;
        return Fail(problems, $"option '{name}' must be {expected}, got {_options[name]!.ToJsonString()}", fallback);
    }

    static T Fail<T>(List<string>? problems, string message, T fallback)
    {
        if (problems is null) throw new ArgumentException(message + ".", "options");
        problems.Add(message);
        return fallback;
    }

    static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
