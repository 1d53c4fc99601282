using InterpKernel.Notebook.Views;
using TorchSharp;

namespace InterpKernel.Notebook.Tests;

public class RendererTests
{
    [Fact]
    public void Colored_tokens_show_values_on_hover_and_a_symmetric_legend()
    {
        var doc = Html.Parse(Samples.Colored().ToHtml("ct"));
        var spans = doc.GetElementById("ct-tokens")!.QuerySelectorAll(".ik-tok");
        Assert.Equal(7, spans.Length);
        Assert.Equal("2:  cat  L1 N42 = 3", spans[2].GetAttribute("title"));
        Assert.Contains("background-color:rgb(178,24,43)", spans[2].GetAttribute("style"));
        Assert.Contains("background-color:rgb(33,102,172)", spans[5].GetAttribute("style"));
        Assert.Contains("background-color:rgb(255,255,255)", spans[3].GetAttribute("style"));
        Assert.Equal("-3", doc.QuerySelector("#ct-legend .ik-legend-low")!.TextContent);
        Assert.Equal("3", doc.QuerySelector("#ct-legend .ik-legend-high")!.TextContent);
        Assert.Equal(["L1 N42", "L1 N7"], doc.QuerySelectorAll("#ct-set option").Select(o => o.TextContent).ToArray());
    }

    [Fact]
    public void Top_k_table_lists_predictions_with_probabilities()
    {
        var doc = Html.Parse(Samples.TopK().ToHtml("tk"));
        var rows = doc.QuerySelectorAll("#tk-table tbody tr");
        Assert.Equal(3, rows.Length);
        var cells = rows[1].QuerySelectorAll("td").Select(c => c.TextContent).ToArray();
        Assert.Equal(["1", " cat", " sat (0.750)", " is (0.125)"], cells);
        Assert.Equal(["pos", "token", "#1", "#2"], doc.QuerySelectorAll("#tk-table thead th").Select(c => c.TextContent).ToArray());
    }

    [Fact]
    public void Top_k_from_logits_takes_the_softmax_maximum()
    {
        using var logits = torch.tensor(new float[] { 0f, 2f, 0f, 5f, 0f, 0f }, [1, 2, 3]);
        var view = TopKTokensView.FromLogits(logits, ["x", "y"], id => $"tok{id}", k: 2);
        Assert.Equal("tok1", view.TopTokens[0][0]);
        Assert.Equal("tok0", view.TopTokens[1][0]);
        Assert.Equal(Math.Exp(5) / (Math.Exp(5) + 2), view.Probabilities[1][0], 5);
    }

    [Fact]
    public void Logit_lens_cells_show_the_top_token_on_a_probability_background()
    {
        var doc = Html.Parse(Samples.Lens().ToHtml("ll"));
        var rows = doc.QuerySelectorAll("#ll-table tbody tr");
        Assert.Equal(["L0", "L1"], rows.Select(r => r.QuerySelector("th")!.TextContent).ToArray());
        var cell = rows[1].QuerySelectorAll("td")[1];
        Assert.Equal(" sat", cell.TextContent);
        Assert.Equal("0.9", cell.GetAttribute("data-p"));
        Assert.Contains("background-color:rgb(33,98,166)", cell.GetAttribute("style"));
    }

    [Fact]
    public void Logit_lens_from_logits_picks_the_most_likely_token_per_layer_and_position()
    {
        using var logits = torch.tensor(new float[] { 9, 0, 0, 0, 0, 9, 0, 9, 0, 9, 0, 0 }, [2, 2, 3]);
        var view = LogitLensView.FromLogits(logits, ["a", "b"], id => "abc"[id].ToString());
        Assert.Equal(["a", "c"], view.TopTokens[0]);
        Assert.Equal(["b", "a"], view.TopTokens[1]);
        Assert.Equal(["L0", "L1"], view.LayerLabels);
    }

    [Fact]
    public void The_patching_heatmap_is_svg_with_labels_a_symmetric_scale_and_no_script_from_outside()
    {
        var html = Samples.Heatmap().ToHtml("hm");
        var doc = Html.Parse(html);
        var svg = doc.GetElementById("hm-plot")!;
        Assert.Equal("svg", svg.LocalName);
        var cells = svg.QuerySelectorAll(".ik-cells rect");
        Assert.Equal(6, cells.Length);
        Assert.Equal("L0 · 2:  cat: 0.9", cells[2].QuerySelector("title")!.TextContent);
        // ±0.9 saturates: the largest value is full red, its negative would be full blue.
        Assert.Equal("#b2182b", cells[2].GetAttribute("fill"));
        Assert.Equal(["0: The", "1:  cat", "2:  cat"], svg.QuerySelectorAll(".ik-xlabels text").Select(t => t.TextContent).ToArray());
        Assert.Equal(["L0", "L1"], svg.QuerySelectorAll(".ik-ylabels text").Select(t => t.TextContent).ToArray());
        Assert.Equal(["0.9", "0", "-0.9"], svg.QuerySelectorAll(".ik-colorbar text").Select(t => t.TextContent).ToArray());
        Assert.DoesNotContain("src=", html);
        Assert.Single(doc.QuerySelectorAll("script"));
    }

    [Fact]
    public void Repeated_column_labels_stay_separate_columns()
    {
        var view = new PatchingHeatmapView([[1f, 2f]], ["L0"], ["the", "the"], "t");
        Assert.Equal(2, Html.Parse(view.ToHtml("rp")).QuerySelectorAll("#rp-plot .ik-cells rect").Length);
    }

    [Fact]
    public void A_12_by_20_patching_heatmap_fits_in_40_kb()
    {
        int bytes = System.Text.Encoding.UTF8.GetByteCount(Samples.Heatmap12x20().ToHtml("big"));
        Assert.True(bytes <= 40_000, $"the heatmap output is {bytes} bytes");
    }

    [Fact]
    public void Every_chart_has_a_standalone_svg_that_needs_no_script()
    {
        ISvgView[] charts = [Samples.Heatmap(), Samples.Line(), Samples.Histogram(), Samples.Bars(), Samples.Scatter()];
        foreach (var chart in charts)
        {
            var svg = chart.ToSvg();
            Assert.StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"", svg);
            Assert.EndsWith("</svg>", svg);
            Assert.DoesNotContain("<script", svg);
            System.Xml.Linq.XDocument.Parse(svg); // well-formed XML, as an image/svg+xml must be
        }
    }

    [Fact]
    public void The_histogram_table_summarises_each_set()
    {
        var view = new HistogramView("h", new NamedValues("a", [1f, 2f, 3f, 4f, -1f]));
        var doc = Html.Parse(view.ToHtml("hi"));
        var cells = doc.QuerySelectorAll("#hi-stats tbody tr td").Select(c => c.TextContent).ToArray();
        // The sample standard deviation (n − 1), as Core's RunningStatistics and every scan report it.
        Assert.Equal(["5", "1.8", "1.9235", "-1", "1", "2", "3", "4", "0.8"], cells);
        Assert.Equal(["", "n", "mean", "std", "min", "25%", "50%", "75%", "max", "frac > 0"], doc.QuerySelectorAll("#hi-stats thead th").Select(c => c.TextContent).ToArray());
        Assert.Equal(2, Html.Parse(Samples.Histogram().ToHtml("h2")).QuerySelectorAll("#h2-plot .ik-series").Length);
    }

    [Fact]
    public void The_dashboard_marks_the_peak_token_of_each_example_and_lists_promoted_tokens()
    {
        var doc = Html.Parse(Samples.Dashboard().ToHtml("fd"));
        var marked = doc.QuerySelectorAll("#fd-examples .ik-marked").Select(s => s.TextContent).ToArray();
        Assert.Equal([" beginning", " God"], marked);
        Assert.Equal([" God", " LORD"], doc.QuerySelectorAll("#fd-promoted tbody td.ik-text").Select(c => c.TextContent).ToArray());
        Assert.Equal(["-0.75"], doc.QuerySelectorAll("#fd-suppressed tbody td:not(.ik-text)").Select(c => c.TextContent).ToArray());
        Assert.NotNull(doc.GetElementById("fd-hist-plot"));
    }

    [Fact]
    public void Two_views_on_one_page_share_no_element_id()
    {
        var doc = Html.Parse(Samples.Attention().ToHtml(), Samples.Attention().ToHtml(), Samples.Colored().ToHtml(), Samples.Dashboard().ToHtml(), Samples.Heatmap().ToHtml());
        var ids = doc.QuerySelectorAll("[id]").Select(e => e.Id!).ToArray();
        Assert.True(ids.Length > 20);
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public void An_id_prefix_that_is_not_an_identifier_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => Samples.Colored().ToHtml("1 bad"));
        Assert.Equal("idPrefix", error.ParamName);
    }

    [Fact]
    public void Token_text_is_escaped_in_html()
    {
        var view = new ColoredTokensView(["</script><b>x</b>"], new NamedValues("v", [1f]));
        var doc = Html.Parse(view.ToHtml("esc"));
        Assert.Empty(doc.QuerySelectorAll("b"));
        Assert.Equal("</script><b>x</b>", doc.QuerySelector("#esc-tokens .ik-tok")!.TextContent);
    }

    [Fact]
    public void Plain_text_fallbacks_carry_the_values()
    {
        Assert.Contains(" cat[3]", Samples.Colored().ToPlainText());
        Assert.Contains("\" cat\" 0.500", Samples.TopK().ToPlainText());
        Assert.Contains("L1 |  cat (0.60) |  sat (0.90)", Samples.Lens().ToPlainText());
        Assert.Contains("-0.4", Samples.Heatmap().ToPlainText());
        Assert.Contains("0.95", Samples.Line().ToPlainText());
        Assert.Contains("[[ beginning]]", Samples.Dashboard().ToPlainText());
        Assert.Contains("frac > 0", Samples.Histogram().ToPlainText());
    }
}
