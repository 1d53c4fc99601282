using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace InterpKernel.Kernel.History;

/// <summary>
/// The inputs of executed cells, kept per user across kernel sessions in one JSON-lines file (by default
/// <c>$XDG_DATA_HOME/interp-kernel/history.jsonl</c>, else <c>~/.local/share/interp-kernel/history.jsonl</c>). Each
/// kernel start is a new session numbered after the last one in the file; entries answer Jupyter's
/// <c>history_request</c> by tail, range and glob search. Entries are appended to the file in the background, in
/// order, so that recording a cell's input never delays the cell; <see cref="Flush"/> waits for them, and a store
/// opened on a file waits for what this process still has to write there.
/// </summary>
public sealed class HistoryStore
{
    private readonly string _path;
    private readonly object _gate = new();
    private readonly List<HistoryEntry> _entries = [];

    // The appends not yet done, per file, chained so that they land in order.
    private static readonly Dictionary<string, Task> PendingWrites = new(StringComparer.Ordinal);

    /// <summary>Opens (or starts) the history file and begins a new session.</summary>
    /// <param name="path">The file; null for the per-user default.</param>
    public HistoryStore(string? path = null)
    {
        _path = Path.GetFullPath(path ?? DefaultPath());
        Pending(_path).Wait();
        if (File.Exists(_path))
        {
            foreach (var line in File.ReadLines(_path))
            {
                try
                {
                    if (JsonSerializer.Deserialize<HistoryEntry>(line) is { Input: not null } entry)
                    {
                        _entries.Add(entry);
                    }
                }
                catch (JsonException)
                {
                    // A line cut short by a crash is skipped, not fatal.
                }
            }
        }

        Session = _entries.Count == 0 ? 1 : _entries.Max(e => e.Session) + 1;
    }

    /// <summary>The number of this kernel's session.</summary>
    public int Session { get; }

    /// <summary>Records the input of an executed cell under this session.</summary>
    /// <param name="line">The execution count.</param>
    /// <param name="input">The cell's code.</param>
    public void Add(int line, string input)
    {
        var entry = new HistoryEntry(Session, line, input);
        lock (_gate)
        {
            _entries.Add(entry);
        }

        var text = JsonSerializer.Serialize(entry) + "\n";
        lock (PendingWrites)
        {
            PendingWrites[_path] = Pending(_path).ContinueWith(_ => Append(_path, text), CancellationToken.None,
                TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    /// <summary>Waits until every entry recorded so far is in the file.</summary>
    public void Flush() => Pending(_path).Wait();

    private static Task Pending(string path)
    {
        lock (PendingWrites)
        {
            return PendingWrites.GetValueOrDefault(path) ?? Task.CompletedTask;
        }
    }

    private static void Append(string path, string line)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.AppendAllText(path, line);
        }
        catch (IOException)
        {
            // History is a convenience: a read-only home keeps it for this session only.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The last <paramref name="n"/> entries, oldest first.</summary>
    public IReadOnlyList<HistoryEntry> Tail(int n)
    {
        lock (_gate)
        {
            return _entries.Skip(Math.Max(0, _entries.Count - n)).ToList();
        }
    }

    /// <summary>Entries of one session with <paramref name="start"/> ≤ line &lt; <paramref name="stop"/>; a session ≤ 0 counts back from this one.</summary>
    public IReadOnlyList<HistoryEntry> Range(int session, int start, int? stop)
    {
        var wanted = session <= 0 ? Session + session : session;
        lock (_gate)
        {
            return _entries.Where(e => e.Session == wanted && e.Line >= start && (stop is null || e.Line < stop)).ToList();
        }
    }

    /// <summary>The last <paramref name="n"/> entries whose input matches a glob (<c>*</c>, <c>?</c>), oldest first.</summary>
    public IReadOnlyList<HistoryEntry> Search(string pattern, int n, bool unique)
    {
        var regex = new Regex("^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal)
            .Replace("\\?", ".", StringComparison.Ordinal) + "$", RegexOptions.Singleline);
        lock (_gate)
        {
            var matches = _entries.Where(e => regex.IsMatch(e.Input)).ToList();
            if (unique)
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                matches = matches.AsEnumerable().Reverse().Where(e => seen.Add(e.Input)).Reverse().ToList();
            }

            return matches.Skip(Math.Max(0, matches.Count - n)).ToList();
        }
    }

    /// <summary>The entries as the <c>history</c> list of a <c>history_reply</c>.</summary>
    public static JsonArray ToReply(IEnumerable<HistoryEntry> entries, bool output) => new(entries.Select(e => (JsonNode?)new JsonArray(
        e.Session, e.Line, output ? new JsonArray(e.Input, null) : JsonValue.Create(e.Input))).ToArray());

    private static string DefaultPath()
    {
        var data = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(data))
        {
            data = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        }

        return Path.Combine(data, "interp-kernel", "history.jsonl");
    }
}
