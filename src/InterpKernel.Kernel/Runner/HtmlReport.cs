using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using InterpKernel.Notebook.Views;

namespace InterpKernel.Kernel.Runner;

/// <summary>
/// Renders an executed notebook as one self-contained HTML page: Markdown rendered, code shown, HTML
/// outputs embedded as they are (the view stylesheet and scripts that every output carries kept once per page, see
/// <see cref="PageAssets"/>), plain text in <c>&lt;pre&gt;</c>, PNG/SVG images inline, errors highlighted.
/// </summary>
public static class HtmlReport
{
    private const string Style = """
        body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #1f2328; }
        .cell { margin: 1.2em 0; }
        .source { background: #f6f8fa; border-left: 3px solid #6e56cf; padding: .6em .8em; overflow-x: auto; }
        .prompt { color: #6e56cf; font: 12px monospace; }
        .output { margin: .4em 0 0 0; overflow-x: auto; }
        pre { margin: 0; white-space: pre-wrap; font-size: 13px; }
        .stderr { background: #fff5e6; }
        .error { background: #ffebe9; color: #82071e; padding: .5em; }
        """;

    /// <summary>Renders the notebook.</summary>
    /// <param name="notebook">An nbformat 4 notebook, usually just executed.</param>
    /// <param name="title">The page title.</param>
    public static string Render(JsonObject notebook, string title)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        var html = new StringBuilder();
        var assets = new PageAssets();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
            .Append(WebUtility.HtmlEncode(title)).Append("</title>\n<style>").Append(Style).Append("</style>\n</head>\n<body>\n");
        foreach (var cell in (notebook["cells"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var source = NotebookFile.Source(cell);
            switch ((string?)cell["cell_type"])
            {
                case "markdown":
                    html.Append("<div class=\"cell markdown\">\n").Append(MarkdownRenderer.ToHtml(source)).Append("</div>\n");
                    break;
                case "code":
                    html.Append("<div class=\"cell code\">\n<div class=\"prompt\">In [")
                        .Append(cell["execution_count"]?.ToJsonString() ?? " ").Append("]:</div>\n<pre class=\"source\">")
                        .Append(WebUtility.HtmlEncode(source)).Append("</pre>\n");
                    foreach (var output in (cell["outputs"] as JsonArray ?? []).OfType<JsonObject>())
                    {
                        AppendOutput(html, output, assets);
                    }

                    html.Append("</div>\n");
                    break;
                default:
                    html.Append("<div class=\"cell raw\"><pre>").Append(WebUtility.HtmlEncode(source)).Append("</pre></div>\n");
                    break;
            }
        }

        return html.Append("</body>\n</html>\n").ToString();
    }

    private static void AppendOutput(StringBuilder html, JsonObject output, PageAssets assets)
    {
        html.Append("<div class=\"output\">");
        switch ((string?)output["output_type"])
        {
            case "stream":
                var name = (string?)output["name"] == "stderr" ? "stderr" : "stdout";
                html.Append($"<pre class=\"{name}\">").Append(WebUtility.HtmlEncode(Text(output["text"]))).Append("</pre>");
                break;
            case "error":
                var traceback = string.Join('\n', (output["traceback"] as JsonArray ?? []).Select(l => (string?)l));
                html.Append("<pre class=\"error\">")
                    .Append(WebUtility.HtmlEncode($"{(string?)output["ename"]}: {(string?)output["evalue"]}\n{traceback}")).Append("</pre>");
                break;
            default:
                AppendBundle(html, output["data"] as JsonObject ?? [], assets);
                break;
        }

        html.Append("</div>\n");
    }

    private static void AppendBundle(StringBuilder html, JsonObject data, PageAssets assets)
    {
        if (data["text/html"] is { } markup)
        {
            html.Append(assets.Share(Text(markup)));
        }
        else if (data["image/svg+xml"] is { } svg)
        {
            html.Append(Text(svg));
        }
        else if (data["image/png"] is { } png)
        {
            html.Append("<img alt=\"output\" src=\"data:image/png;base64,").Append(Text(png).Trim()).Append("\">");
        }
        else if (data["text/markdown"] is { } markdown)
        {
            html.Append(MarkdownRenderer.ToHtml(Text(markdown)));
        }
        else if (data["text/plain"] is { } plain)
        {
            html.Append("<pre>").Append(WebUtility.HtmlEncode(Text(plain))).Append("</pre>");
        }
    }

    // nbformat stores multi-line text either as one string or as a list of lines.
    private static string Text(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        JsonValue value => (string?)value ?? "",
        _ => "",
    };
}
