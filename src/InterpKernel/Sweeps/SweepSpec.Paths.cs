using System.Text.Json;

namespace InterpKernel.Sweeps;

public sealed partial class SweepSpec
{
    /// <summary><paramref name="path"/> made absolute against <see cref="BaseDirectory"/>.</summary>
    public string Resolve(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return System.IO.Path.GetFullPath(System.IO.Path.Combine(BaseDirectory, path));
    }

    /// <summary>
    /// The model each checkpoint index loads: <see cref="SweepInputs.Checkpoints"/> when given (index 0, 1, ...),
    /// else the spec's model alone at index −1. Folders resolve against the spec's folder; anything else is a hub id.
    /// </summary>
    public IReadOnlyList<(int Checkpoint, string NameOrPath)> Models()
    {
        if (Inputs.Checkpoints is { Count: > 0 } list) return list.Select((c, i) => (i, ModelLocation(c))).ToList();
        return [(-1, ModelLocation(Model.Path))];
    }

    /// <summary>The text files named by <see cref="SweepInputs.Text"/>, globs expanded, each list in name order.</summary>
    public IReadOnlyList<string> TextFiles()
    {
        var files = new List<string>();
        foreach (var pattern in Inputs.Text ?? [])
        {
            string full = Resolve(pattern);
            string folder = System.IO.Path.GetDirectoryName(full)!, name = System.IO.Path.GetFileName(full);
            if (folder.IndexOfAny(['*', '?']) >= 0)
                throw new ArgumentException($"The text input '{pattern}' has a wildcard in a folder name: put wildcards in the file name only (data/*.txt).", nameof(pattern));
            if (name.IndexOfAny(['*', '?']) < 0)
            {
                if (!File.Exists(full)) throw new ArgumentException($"The text input '{pattern}' does not exist (looked for {full}).", nameof(pattern));
                files.Add(full);
                continue;
            }
            if (!Directory.Exists(folder)) throw new ArgumentException($"The folder of the text input '{pattern}' does not exist ({folder}).", nameof(pattern));
            var matched = Directory.GetFiles(folder, name).OrderBy(f => f, StringComparer.Ordinal).ToList();
            if (matched.Count == 0) throw new ArgumentException($"The text input '{pattern}' matches no file in {folder}.", nameof(pattern));
            files.AddRange(matched);
        }
        return files;
    }

    /// <summary>The prompt pairs of <see cref="SweepInputs.Pairs"/>, in file order.</summary>
    public IReadOnlyList<PromptPair> ReadPairs()
    {
        if (Inputs.Pairs is null) throw new ArgumentException("This analysis needs inputs.pairs: a JSONL file with clean, corrupt, answer and wrong on each line.", "spec");
        string path = Resolve(Inputs.Pairs);
        if (!File.Exists(path)) throw new ArgumentException($"The pairs file '{Inputs.Pairs}' does not exist (looked for {path}).", "spec");
        var pairs = new List<PromptPair>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                string Field(string name) => r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
                    ? v.GetString()!
                    : throw new ArgumentException($"line {lineNumber} of '{Inputs.Pairs}' has no string '{name}': each line needs clean, corrupt, answer and wrong.", "spec");
                pairs.Add(new PromptPair(Field("clean"), Field("corrupt"), Field("answer"), Field("wrong")));
            }
            catch (JsonException e)
            {
                throw new ArgumentException($"line {lineNumber} of '{Inputs.Pairs}' is not JSON ({e.Message}).", "spec", e);
            }
        }
        if (pairs.Count == 0) throw new ArgumentException($"The pairs file '{Inputs.Pairs}' holds no pairs.", "spec");
        return pairs;
    }

    string ModelLocation(string nameOrPath)
    {
        string local = Resolve(nameOrPath);
        if (Directory.Exists(local)) return local;
        bool looksLikePath = nameOrPath.StartsWith('.') || nameOrPath.StartsWith('/') || nameOrPath.Contains('\\') || nameOrPath.Count(c => c == '/') > 1;
        if (looksLikePath) throw new ArgumentException($"The model folder '{nameOrPath}' does not exist (looked for {local}): give a folder or a Hugging Face id.", "spec");
        return nameOrPath;
    }
}
