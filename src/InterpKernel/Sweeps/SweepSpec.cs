using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace InterpKernel.Sweeps;

/// <summary>
/// A sweep: one analysis of one model (or of each of several checkpoints) over inputs too large for one process,
/// written as JSON so every task of a cluster job reads the same thing. <see cref="Hash"/> identifies it: shards
/// of another spec are refused when merging.
/// </summary>
/// <example>
/// <code>
/// {
///   "model": { "path": "models/kjv-gpt2-2l", "device": "cpu", "dtype": "float32" },
///   "analysis": "neuron-scan",
///   "inputs": { "text": ["data/text/*.txt"] },
///   "options": { "layer": 1, "neurons": [0, 1, 2, 3], "histogramRange": [-0.2, 4], "topK": 10 }
/// }
/// </code>
/// </example>
public sealed partial class SweepSpec
{
    static readonly string[] TopLevel = ["model", "analysis", "inputs", "options"];

    SweepSpec(SweepModel model, string analysis, SweepInputs inputs, JsonObject options, string baseDirectory, string canonical)
    {
        Model = model;
        Analysis = analysis;
        Inputs = inputs;
        Options = options;
        BaseDirectory = baseDirectory;
        CanonicalJson = canonical;
        Hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>The model.</summary>
    public SweepModel Model { get; }

    /// <summary>The analysis name (<c>neuron-scan</c>, <c>patching</c>, <c>collect-activations</c>, <c>head-scores</c>, or one registered with <see cref="SweepAnalyses.Register"/>).</summary>
    public string Analysis { get; }

    /// <summary>The inputs.</summary>
    public SweepInputs Inputs { get; }

    /// <summary>The analysis's options as written (see each analysis for its names).</summary>
    public JsonObject Options { get; }

    /// <summary>The folder relative paths are resolved against: the spec file's folder.</summary>
    public string BaseDirectory { get; }

    /// <summary>The spec without insignificant whitespace: what <see cref="Hash"/> is computed over.</summary>
    public string CanonicalJson { get; }

    /// <summary>SHA-256 of <see cref="CanonicalJson"/>, lower-case hex.</summary>
    public string Hash { get; }

    /// <summary>Reads and validates a spec file.</summary>
    public static SweepSpec Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new ArgumentException($"The sweep spec '{path}' does not exist: give the path of a JSON file.", nameof(path));
        var full = System.IO.Path.GetFullPath(path);
        return Parse(File.ReadAllText(full), System.IO.Path.GetDirectoryName(full)!, full);
    }

    /// <summary>Parses and validates a spec; relative paths resolve against <paramref name="baseDirectory"/>.</summary>
    public static SweepSpec Parse(string json, string baseDirectory, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentException.ThrowIfNullOrWhiteSpace(baseDirectory);
        string what = description ?? "the sweep spec";
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{what} is not valid JSON ({e.Message}): fix the file.", nameof(json), e);
        }
        if (root is not JsonObject obj) throw new ArgumentException($"{what} must be a JSON object with model, analysis, inputs and options.", nameof(json));

        var problems = new List<string>();
        foreach (var (key, _) in obj)
            if (!TopLevel.Contains(key)) problems.Add($"unknown field '{key}'{SweepOptions.Suggest(key, TopLevel)}: the fields are {string.Join(", ", TopLevel)}");
        var model = ReadModel(obj["model"], problems);
        string analysis = obj["analysis"] is JsonValue a && a.TryGetValue<string>(out var name) ? name : "";
        if (analysis.Length == 0) problems.Add($"'analysis' must name the analysis: one of {string.Join(", ", SweepAnalyses.Names)}");
        var inputs = ReadInputs(obj["inputs"], problems);
        var options = obj["options"] switch
        {
            null => new JsonObject(),
            JsonObject o => (JsonObject)o.DeepClone(),
            _ => Problem<JsonObject>(problems, "'options' must be an object", new JsonObject()),
        };
        string canonical = obj.ToJsonString();
        var spec = new SweepSpec(model ?? new SweepModel(""), analysis, inputs, options, baseDirectory, canonical);
        if (SweepAnalyses.TryGet(analysis, out var implementation))
        {
            var reader = new SweepOptions(options);
            implementation.Validate(spec, reader, problems);
            reader.ReportUnknown(problems, analysis);
        }
        else if (analysis.Length > 0)
        {
            problems.Add($"unknown analysis '{analysis}'{SweepOptions.Suggest(analysis, SweepAnalyses.Names)}: the analyses are {string.Join(", ", SweepAnalyses.Names)}");
        }
        if (problems.Count > 0) throw Invalid(what, problems);
        return spec;
    }

    static SweepModel? ReadModel(JsonNode? node, List<string> problems)
    {
        if (node is JsonValue v && v.TryGetValue<string>(out var pathOnly)) return new SweepModel(pathOnly);
        if (node is not JsonObject m)
        {
            problems.Add("'model' must be an object like { \"path\": \"models/kjv-gpt2-2l\", \"device\": \"cpu\", \"dtype\": \"float32\" }");
            return null;
        }
        foreach (var (key, _) in m)
            if (key is not ("path" or "device" or "dtype")) problems.Add($"unknown field 'model.{key}'{SweepOptions.Suggest(key, ["path", "device", "dtype"])}: the fields are path, device, dtype");
        string path = Text(m, "path") ?? "";
        if (path.Length == 0) problems.Add("'model.path' must be a checkpoint folder or a Hugging Face model id");
        string device = Text(m, "device") ?? "cpu";
        if (!(device == "cpu" || device == "cuda" || device.StartsWith("cuda:", StringComparison.Ordinal)))
            problems.Add($"'model.device' is '{device}': use cpu, cuda or cuda:N");
        string dtype = Text(m, "dtype") ?? "float32";
        if (dtype is not ("float32" or "float16" or "bfloat16")) problems.Add($"'model.dtype' is '{dtype}': use float32, float16 or bfloat16");
        return new SweepModel(path, device, dtype);
    }

    static SweepInputs ReadInputs(JsonNode? node, List<string> problems)
    {
        if (node is null) return new SweepInputs();
        if (node is not JsonObject i)
        {
            problems.Add("'inputs' must be an object with text, pairs and/or checkpoints");
            return new SweepInputs();
        }
        foreach (var (key, _) in i)
            if (key is not ("text" or "pairs" or "checkpoints")) problems.Add($"unknown field 'inputs.{key}'{SweepOptions.Suggest(key, ["text", "pairs", "checkpoints"])}: the fields are text, pairs, checkpoints");
        return new SweepInputs(Strings(i, "text", problems), Text(i, "pairs"), Strings(i, "checkpoints", problems));
    }

    static string? Text(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    static IReadOnlyList<string>? Strings(JsonObject o, string name, List<string> problems) => o[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var one) => [one],
        JsonArray a when a.All(x => x is JsonValue e && e.TryGetValue<string>(out _)) => a.Select(x => x!.GetValue<string>()).ToList(),
        _ => Problem<IReadOnlyList<string>?>(problems, $"'inputs.{name}' must be a string or a list of strings", null),
    };

    static T Problem<T>(List<string> problems, string message, T value)
    {
        problems.Add(message);
        return value;
    }

    static ArgumentException Invalid(string what, IEnumerable<string> problems) =>
        new($"{what} is not valid:\n  - {string.Join("\n  - ", problems)}", "spec");
}
