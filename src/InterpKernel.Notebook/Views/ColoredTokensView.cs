using System.Text;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// A prompt with every token coloured by an activation on a diverging scale (blue negative, red positive,
/// symmetric around zero), with a legend and the value on hover. Several named activations can be given and
/// switched with a selector.
/// </summary>
public sealed record ColoredTokensView : IHtmlView
{
    /// <summary>Creates the view.</summary>
    /// <param name="tokens">The tokens as text.</param>
    /// <param name="activations">One or more named activations, each with one value per token.</param>
    public ColoredTokensView(string[] tokens, params NamedValues[] activations)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(activations);
        if (activations.Length == 0) throw new ArgumentException("give at least one named activation to colour the tokens by.", nameof(activations));
        foreach (var a in activations)
        {
            if (a.Values.Length != tokens.Length)
            {
                throw new ArgumentException($"activation '{a.Name}' has {a.Values.Length} values for {tokens.Length} tokens: give one value per token.", nameof(activations));
            }
        }
        Tokens = tokens;
        Activations = activations;
    }

    /// <summary>The tokens as text.</summary>
    public string[] Tokens { get; }

    /// <summary>The named activations, one value per token each.</summary>
    public NamedValues[] Activations { get; }

    /// <summary>Optional heading shown above the tokens.</summary>
    public string? Title { get; init; }

    /// <summary>Fixed colour limit: values at ±limit get full colour. The largest magnitude of each activation when null.</summary>
    public double? Limit { get; init; }

    /// <summary>A position to mark (underlined, bold), such as the token where a feature fires most.</summary>
    public int? MarkedPosition { get; init; }

    /// <summary>Creates the view from a tensor with one value per token (shape <c>[pos]</c> or <c>[1, pos]</c>).</summary>
    /// <param name="tokens">The tokens as text.</param>
    /// <param name="activation">The activation; it is copied, so it may be disposed afterwards.</param>
    /// <param name="name">Name of the activation, such as "L1 N42".</param>
    public static ColoredTokensView FromTensor(string[] tokens, Tensor activation, string name)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(activation);
        if (activation.numel() != tokens.Length)
        {
            throw new ArgumentException($"activation '{name}' has shape [{string.Join(", ", activation.shape)}] but {tokens.Length} tokens need one value each.", nameof(activation));
        }
        return new ColoredTokensView(tokens, new NamedValues(name, TensorData.ToFloats(activation, nameof(activation))));
    }

    /// <inheritdoc />
    public string ToHtml(string? idPrefix = null)
    {
        var id = ViewIds.Resolve(idPrefix);
        var html = new StringBuilder();
        html.Append(ViewAssets.StyleElement());
        html.Append($"<div class=\"ik-view ik-colored\" id=\"{id}-root\" data-set=\"0\">");
        AppendBody(html, id);
        var sets = Activations.Select(a => new { name = a.Name, values = a.Values.Select(v => float.IsFinite(v) ? (double)v : 0).ToArray(), limit = LimitOf(a) });
        html.Append($"<script type=\"application/json\" id=\"{id}-config\">{HtmlText.Json(new { tokens = Tokens, sets })}</script>");
        html.Append("<script>(function(){var p=").Append(HtmlText.Json(id))
            .Append(";").Append(ViewAssets.SharedFunction("colored-tokens.js"))
            .Append("(document.getElementById(p+'-root'),JSON.parse(document.getElementById(p+'-config').textContent));})();</script>");
        html.Append("</div>");
        return html.ToString();
    }

    /// <summary>Title, selector, legend and token spans coloured by the first activation, so the view reads even without its script.</summary>
    internal void AppendBody(StringBuilder html, string id, bool showLegend = true)
    {
        var first = Activations[0];
        var limit = LimitOf(first);
        if (Title is not null) html.Append($"<div class=\"ik-title\">{HtmlText.Encode(Title)}</div>");
        html.Append("<div class=\"ik-controls\">");
        if (Activations.Length > 1)
        {
            html.Append($"<label>Activation <select class=\"ik-set\" id=\"{id}-set\">");
            for (int s = 0; s < Activations.Length; s++) html.Append($"<option value=\"{s}\">{HtmlText.Encode(Activations[s].Name)}</option>");
            html.Append("</select></label>");
        }
        if (showLegend)
        {
            html.Append($"<div class=\"ik-legend\" id=\"{id}-legend\"><span class=\"ik-legend-low\">{HtmlText.Number(-limit)}</span>")
                .Append("<span class=\"ik-bar\" style=\"background:linear-gradient(to right,rgb(33,102,172),#fff,rgb(178,24,43))\"></span>")
                .Append($"<span class=\"ik-legend-high\">{HtmlText.Number(limit)}</span></div>");
        }
        html.Append("</div>");
        html.Append($"<div class=\"ik-tokens\" id=\"{id}-tokens\">");
        for (int i = 0; i < Tokens.Length; i++)
        {
            var v = first.Values[i];
            var marked = MarkedPosition == i ? " ik-marked" : "";
            html.Append($"<span class=\"ik-tok{marked}\" data-i=\"{i}\" data-value=\"{HtmlText.Number(v)}\" ")
                .Append($"style=\"background-color:{ColorScale.Diverging(v, limit)};color:{ColorScale.TextOn(v / limit)}\" ")
                .Append($"title=\"{i}: {HtmlText.Encode(Tokens[i])}  {HtmlText.Encode(first.Name)} = {HtmlText.Number(v)}\">")
                .Append(HtmlText.Encode(HtmlText.Token(Tokens[i]))).Append("</span>");
        }
        html.Append("</div>");
    }

    private double LimitOf(NamedValues activation) => Limit is > 0 ? Limit.Value : ColorScale.SymmetricLimit(activation.Values);

    /// <inheritdoc />
    public string ToPlainText()
    {
        var text = new StringBuilder();
        if (Title is not null) text.AppendLine(Title);
        foreach (var a in Activations)
        {
            text.AppendLine($"{a.Name}:");
            text.AppendLine("  " + string.Join(" ", Tokens.Select((t, i) => $"{(MarkedPosition == i ? "*" : "")}{HtmlText.Token(t)}[{HtmlText.Number(a.Values[i])}]")));
        }
        return text.ToString();
    }
}
