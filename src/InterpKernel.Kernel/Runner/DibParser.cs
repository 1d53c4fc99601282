using System.Text.Json.Nodes;

namespace InterpKernel.Kernel.Runner;

/// <summary>
/// Converts a Polyglot Notebook (.dib) into nbformat 4: <c>#!csharp</c> sections become code cells,
/// <c>#!markdown</c> sections markdown cells, <c>#!meta</c> is dropped, other languages become raw cells.
/// Other <c>#!</c> lines inside a section are magic commands and stay in the cell.
/// </summary>
public static class DibParser
{
    private static readonly HashSet<string> CodeKernels = new(StringComparer.OrdinalIgnoreCase) { "csharp", "c#", "cs" };
    private static readonly HashSet<string> MarkdownKernels = new(StringComparer.OrdinalIgnoreCase) { "markdown", "md" };
    private static readonly HashSet<string> OtherKernels = new(StringComparer.OrdinalIgnoreCase)
    {
        "meta", "fsharp", "f#", "fs", "pwsh", "powershell", "javascript", "js", "html", "sql", "kql", "mermaid", "http", "value",
    };

    /// <summary>Parses the text of a .dib file.</summary>
    /// <param name="text">The file content.</param>
    public static JsonObject Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cells = new JsonArray();
        string? kernel = null;
        var body = new List<string>();
        foreach (var line in text.Replace("\r\n", "\n").Split('\n'))
        {
            var name = line.StartsWith("#!", StringComparison.Ordinal) ? line[2..].Trim() : null;
            if (name is not null && (CodeKernels.Contains(name) || MarkdownKernels.Contains(name) || OtherKernels.Contains(name)))
            {
                AddCell(cells, kernel, body);
                kernel = name;
                body.Clear();
                continue;
            }

            body.Add(line);
        }

        AddCell(cells, kernel, body);
        return new JsonObject
        {
            ["cells"] = cells,
            ["metadata"] = new JsonObject
            {
                ["kernelspec"] = new JsonObject
                {
                    ["name"] = "interp-kernel-csharp", ["display_name"] = "C# (InterpKernel)", ["language"] = "csharp",
                },
                ["language_info"] = new JsonObject { ["name"] = "csharp", ["file_extension"] = ".cs" },
            },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
    }

    private static void AddCell(JsonArray cells, string? kernel, List<string> body)
    {
        var start = body.FindIndex(l => l.Trim().Length > 0);
        if (start < 0 || kernel is null || kernel.Equals("meta", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var end = body.FindLastIndex(l => l.Trim().Length > 0);
        var source = string.Join('\n', body.Skip(start).Take(end - start + 1));
        var id = Guid.NewGuid().ToString("N")[..8];
        if (CodeKernels.Contains(kernel))
        {
            cells.Add(new JsonObject
            {
                ["cell_type"] = "code", ["id"] = id, ["execution_count"] = null, ["metadata"] = new JsonObject(),
                ["outputs"] = new JsonArray(), ["source"] = source,
            });
        }
        else
        {
            cells.Add(new JsonObject
            {
                ["cell_type"] = MarkdownKernels.Contains(kernel) ? "markdown" : "raw", ["id"] = id, ["metadata"] = new JsonObject(),
                ["source"] = source,
            });
        }
    }
}
