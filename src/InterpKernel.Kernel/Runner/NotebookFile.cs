using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace InterpKernel.Kernel.Runner;

/// <summary>Reads notebooks (.ipynb nbformat 4, Polyglot .dib) into nbformat 4 JSON and writes them back.</summary>
public static class NotebookFile
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Loads a notebook as nbformat 4 JSON; a .dib file is converted.</summary>
    /// <param name="path">An .ipynb or .dib file.</param>
    public static JsonObject Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Notebook '{path}' does not exist.", path);
        }

        var text = File.ReadAllText(path);
        if (Path.GetExtension(path).Equals(".dib", StringComparison.OrdinalIgnoreCase))
        {
            return DibParser.Parse(text);
        }

        JsonObject notebook;
        try
        {
            notebook = JsonNode.Parse(text) as JsonObject
                ?? throw new InvalidDataException($"Notebook '{path}' is not a JSON object: an .ipynb file holds one nbformat 4 object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Notebook '{path}' is not valid JSON: {e.Message}", e);
        }

        if ((int?)notebook["nbformat"] != 4 || notebook["cells"] is not JsonArray)
        {
            throw new InvalidDataException($"Notebook '{path}' is not nbformat 4 (it needs \"nbformat\": 4 and a \"cells\" array): convert it with nbconvert first.");
        }

        return notebook;
    }

    /// <summary>The source of a cell; nbformat allows a string or a list of strings.</summary>
    /// <param name="cell">A cell object.</param>
    public static string Source(JsonObject cell) => cell["source"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => (string?)l ?? "")),
        JsonValue value => (string?)value ?? "",
        _ => "",
    };

    /// <summary>Writes a notebook as indented nbformat 4 JSON.</summary>
    /// <param name="notebook">The notebook.</param>
    /// <param name="path">The file to write.</param>
    public static void Save(JsonObject notebook, string path) =>
        File.WriteAllText(path, notebook.ToJsonString(Indented) + "\n");
}
