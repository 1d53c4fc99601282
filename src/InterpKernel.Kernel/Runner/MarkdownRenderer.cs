using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace InterpKernel.Kernel.Runner;

/// <summary>
/// A small Markdown subset for notebook reports: ATX headings, paragraphs, fenced code, bullet and
/// numbered lists, code spans, links, bold and italic. Everything else is escaped text.
/// </summary>
public static partial class MarkdownRenderer
{
    /// <summary>Renders Markdown to an HTML fragment.</summary>
    /// <param name="markdown">The Markdown text.</param>
    public static string ToHtml(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var html = new StringBuilder();
        var paragraph = new List<string>();
        string? list = null;
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                Close(html, paragraph, ref list);
                var code = new List<string>();
                for (i++; i < lines.Length && !lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal); i++)
                {
                    code.Add(lines[i]);
                }

                html.Append("<pre><code>").Append(WebUtility.HtmlEncode(string.Join('\n', code))).Append("</code></pre>\n");
                continue;
            }

            if (Heading().Match(line) is { Success: true } heading)
            {
                Close(html, paragraph, ref list);
                var level = heading.Groups[1].Length;
                html.Append($"<h{level}>").Append(Inline(heading.Groups[2].Value.Trim())).Append($"</h{level}>\n");
                continue;
            }

            var bullet = Bullet().Match(line);
            var numbered = Numbered().Match(line);
            if (bullet.Success || numbered.Success)
            {
                FlushParagraph(html, paragraph);
                var kind = bullet.Success ? "ul" : "ol";
                if (list != kind)
                {
                    CloseList(html, ref list);
                    html.Append($"<{kind}>\n");
                    list = kind;
                }

                html.Append("<li>").Append(Inline((bullet.Success ? bullet : numbered).Groups[1].Value)).Append("</li>\n");
                continue;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                Close(html, paragraph, ref list);
                continue;
            }

            CloseList(html, ref list);
            paragraph.Add(line.Trim());
        }

        Close(html, paragraph, ref list);
        return html.ToString();
    }

    private static string Inline(string text)
    {
        // Code spans are cut out first so that their content is not formatted.
        var parts = CodeSpan().Split(text);
        var html = new StringBuilder();
        for (var i = 0; i < parts.Length; i++)
        {
            if (i % 2 == 1)
            {
                html.Append("<code>").Append(WebUtility.HtmlEncode(parts[i])).Append("</code>");
                continue;
            }

            var escaped = WebUtility.HtmlEncode(parts[i]);
            escaped = Link().Replace(escaped, m => $"<a href=\"{m.Groups[2].Value}\">{m.Groups[1].Value}</a>");
            escaped = Bold().Replace(escaped, "<strong>$1</strong>");
            escaped = Italic().Replace(escaped, "<em>$1</em>");
            html.Append(escaped);
        }

        return html.ToString();
    }

    private static void Close(StringBuilder html, List<string> paragraph, ref string? list)
    {
        FlushParagraph(html, paragraph);
        CloseList(html, ref list);
    }

    private static void FlushParagraph(StringBuilder html, List<string> paragraph)
    {
        if (paragraph.Count > 0)
        {
            html.Append("<p>").Append(Inline(string.Join(' ', paragraph))).Append("</p>\n");
            paragraph.Clear();
        }
    }

    private static void CloseList(StringBuilder html, ref string? list)
    {
        if (list is not null)
        {
            html.Append($"</{list}>\n");
            list = null;
        }
    }

    [GeneratedRegex(@"^(#{1,6})\s+(.*)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^\s*[-*+]\s+(.*)$")]
    private static partial Regex Bullet();

    [GeneratedRegex(@"^\s*\d+[.)]\s+(.*)$")]
    private static partial Regex Numbered();

    [GeneratedRegex(@"`([^`]*)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"\[([^\]]+)\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"\*\*([^*]+)\*\*")]
    private static partial Regex Bold();

    [GeneratedRegex(@"(?<![*\w])\*([^*]+)\*(?![*\w])")]
    private static partial Regex Italic();
}
