using System.Text;

namespace InterpKernel.Notebook.Views;

/// <summary>HTML of an <see cref="AttentionPatternView"/>; the drawing itself happens in Assets/attention.js.</summary>
internal static class AttentionPatternRenderer
{
    public static string Render(AttentionPatternView view, string id)
    {
        int n = view.Tokens.Length;
        var (bytes, causal) = Quantise(view);
        var config = HtmlText.Json(new { heads = view.Heads, n, causal, tokens = view.Tokens, labels = view.HeadLabels });
        var html = new StringBuilder(bytes.Length * 4 / 3 + 64 * n + 8192);
        html.Append(ViewAssets.StyleElement());
        html.Append($"<div class=\"ik-view ik-attn\" id=\"{id}-root\">");
        if (view.Title is not null) html.Append($"<div class=\"ik-title\">{HtmlText.Encode(view.Title)}</div>");
        html.Append($"<div class=\"ik-note\">{view.Heads} heads × {n} tokens. Hover a token to see what it attends to; click to pin. Click a head to enlarge it.</div>");
        html.Append("<div class=\"ik-layout\">");
        html.Append($"<div class=\"ik-grid\" id=\"{id}-grid\">");
        for (int h = 0; h < view.Heads; h++)
        {
            html.Append($"<div class=\"ik-thumb\" data-head=\"{h}\" title=\"{HtmlText.Encode(view.HeadLabels[h])}\"><canvas width=\"1\" height=\"1\"></canvas><span>{HtmlText.Encode(view.HeadLabels[h])}</span></div>");
        }
        html.Append("</div>");
        html.Append($"<div class=\"ik-main\" id=\"{id}-main\"><div class=\"ik-title\">Head <span class=\"ik-head-name\">{HtmlText.Encode(view.HeadLabels[0])}</span> (rows: query, columns: key)</div><canvas width=\"1\" height=\"1\"></canvas></div>");
        html.Append("</div>");
        html.Append($"<div class=\"ik-controls\"><label>Shade tokens <select class=\"ik-dir\" id=\"{id}-dir\"><option value=\"to\">the hovered token attends to</option><option value=\"from\">attending to the hovered token</option></select></label></div>");
        html.Append($"<div class=\"ik-tokens\" id=\"{id}-tokens\">");
        for (int i = 0; i < n; i++)
        {
            html.Append($"<span class=\"ik-tok\" data-i=\"{i}\" title=\"{i}\">{HtmlText.Encode(HtmlText.Token(view.Tokens[i]))}</span>");
        }
        html.Append("</div>");
        html.Append($"<div class=\"ik-tip\" id=\"{id}-tip\"></div>");
        html.Append($"<script type=\"application/json\" id=\"{id}-config\">{config}</script>");
        html.Append($"<script type=\"text/plain\" id=\"{id}-data\">");
        html.Append(Convert.ToBase64String(bytes));
        html.Append("</script>");
        html.Append("<script>(function(){var p=").Append(HtmlText.Json(id))
            .Append(";var g=function(s){return document.getElementById(p+s);};")
            .Append(ViewAssets.SharedFunction("attention.js"))
            .Append("(g('-root'),JSON.parse(g('-config').textContent),g('-data').textContent);})();</script>");
        html.Append("</div>");
        return html.ToString();
    }

    /// <summary>
    /// Probabilities as bytes (p × 255, rounded). When every weight above the diagonal rounds to zero, as in
    /// a causal model, only the lower triangle is sent, row by row.
    /// </summary>
    internal static (byte[] Bytes, bool Causal) Quantise(AttentionPatternView view)
    {
        int n = view.Tokens.Length, heads = view.Heads;
        var w = view.Weights;
        bool causal = true;
        for (long h = 0; h < heads && causal; h++)
        {
            for (int q = 0; q < n && causal; q++)
            {
                long row = (h * n + q) * n;
                for (int k = q + 1; k < n; k++)
                {
                    if (ToByte(w[row + k]) != 0) { causal = false; break; }
                }
            }
        }
        long perHead = causal ? (long)n * (n + 1) / 2 : (long)n * n;
        var bytes = new byte[perHead * heads];
        long o = 0;
        for (long h = 0; h < heads; h++)
        {
            for (int q = 0; q < n; q++)
            {
                long row = (h * n + q) * n;
                int length = causal ? q + 1 : n;
                for (int k = 0; k < length; k++) bytes[o++] = ToByte(w[row + k]);
            }
        }
        return (bytes, causal);
    }

    internal static byte ToByte(float p) => float.IsFinite(p) ? (byte)Math.Clamp(MathF.Round(p * 255f), 0f, 255f) : (byte)0;
}
