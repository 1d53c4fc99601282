using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace InterpKernel.Notebook.Tests;

/// <summary>Parses rendered fragments into a document so tests can check structure rather than strings.</summary>
internal static class Html
{
    public static IDocument Parse(params string[] fragments) =>
        new HtmlParser().ParseDocument("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>" + string.Concat(fragments) + "</body></html>");

    public static string Page(params string[] fragments) =>
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>InterpKernel view</title></head><body style=\"margin:12px;background:#fff\">"
        + string.Join("<hr>", fragments) + "</body></html>";
}
