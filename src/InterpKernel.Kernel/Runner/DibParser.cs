using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive.Documents;

namespace InterpKernel.Kernel.Runner;

/// <summary>
/// Converts a Polyglot Notebook (.dib) into nbformat 4: <c>#!csharp</c> sections become code cells,
/// <c>#!markdown</c> sections markdown cells, <c>#!meta</c> is dropped, other languages become raw cells.
/// Other <c>#!</c> lines inside a section are magic commands and stay in the cell. The sections are read by
/// .NET Interactive's own reader (<see cref="CodeSubmission"/>); the nbformat cells are built here, since the runner
/// works on nbformat JSON and keeps every field of an .ipynb as it was.
/// </summary>
public static class DibParser
{
    // The kernels a .dib may switch to, with the aliases Polyglot Notebooks accepts; any other #! line is a magic.
    private static readonly KernelInfoCollection Kernels =
    [
        new KernelInfo("csharp", "C#", ["c#", "cs"]),
        new KernelInfo("fsharp", "F#", ["f#", "fs"]),
        new KernelInfo("pwsh", "PowerShell", ["powershell"]),
        new KernelInfo("javascript", "JavaScript", ["js"]),
        new KernelInfo("html", "HTML"),
        new KernelInfo("sql", "SQL"),
        new KernelInfo("kql", "KQL"),
        new KernelInfo("mermaid", "Mermaid"),
        new KernelInfo("http", "HTTP"),
        new KernelInfo("value"),
    ];

    /// <summary>Parses the text of a .dib file.</summary>
    /// <param name="text">The file content.</param>
    public static JsonObject Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cells = new JsonArray();
        foreach (var element in CodeSubmission.Parse(text.Replace("\r\n", "\n"), Kernels).Elements)
        {
            AddCell(cells, element.KernelName ?? "csharp", element.Contents);
        }

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

    private static void AddCell(JsonArray cells, string kernel, string contents)
    {
        var source = contents.Trim('\n', '\r');
        if (source.Trim().Length == 0)
        {
            return;
        }

        var id = Guid.NewGuid().ToString("N")[..8];
        if (kernel == "csharp")
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
                ["cell_type"] = kernel == "markdown" ? "markdown" : "raw", ["id"] = id, ["metadata"] = new JsonObject(),
                ["source"] = source,
            });
        }
    }
}
