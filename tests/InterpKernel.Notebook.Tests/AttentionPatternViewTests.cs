using InterpKernel.Notebook.Views;
using TorchSharp;

namespace InterpKernel.Notebook.Tests;

public class AttentionPatternViewTests
{
    [Fact]
    public void The_html_has_a_thumbnail_per_head_and_a_span_per_token_with_scoped_ids()
    {
        var doc = Html.Parse(Samples.Attention().ToHtml("att"));
        var root = doc.GetElementById("att-root")!;
        Assert.NotNull(root);
        var thumbs = root.QuerySelectorAll(".ik-thumb");
        Assert.Equal(["L0H0", "L0H1", "L0H2"], thumbs.Select(t => t.TextContent).ToArray());
        Assert.All(thumbs, t => Assert.NotNull(t.QuerySelector("canvas")));
        var spans = doc.GetElementById("att-tokens")!.QuerySelectorAll(".ik-tok");
        Assert.Equal(["<|endoftext|>", "The", " cat", " sat", " on", " the", " mat"], spans.Select(s => s.TextContent).ToArray());
        Assert.All(doc.QuerySelectorAll("[id]"), e => Assert.StartsWith("att-", e.Id));
        Assert.Contains("Layer 0", root.TextContent);
    }

    [Fact]
    public void Causal_weights_travel_as_the_lower_triangle_of_bytes()
    {
        var view = Samples.Attention();
        var doc = Html.Parse(view.ToHtml("att"));
        var bytes = Convert.FromBase64String(doc.GetElementById("att-data")!.TextContent);
        int n = view.Tokens.Length;
        Assert.Equal(3 * n * (n + 1) / 2, bytes.Length);
        // Head 1 is a previous-token head: query 4 puts all its weight on key 3.
        int offset = n * (n + 1) / 2 + 4 * 5 / 2;
        Assert.Equal(new byte[] { 0, 0, 0, 255, 0 }, bytes[offset..(offset + 5)]);
        // Every row of a softmax sums to about 255 after quantisation.
        Assert.InRange(bytes[(n * (n + 1) / 2 - n)..(n * (n + 1) / 2)].Sum(b => b), 250, 260);
        var config = System.Text.Json.JsonDocument.Parse(doc.GetElementById("att-config")!.TextContent).RootElement;
        Assert.True(config.GetProperty("causal").GetBoolean());
        Assert.Equal(n, config.GetProperty("n").GetInt32());
    }

    [Fact]
    public void A_pattern_with_weight_above_the_diagonal_travels_whole()
    {
        var tokens = new[] { "a", "b" };
        var view = new AttentionPatternView(tokens, [0.5f, 0.5f, 0.25f, 0.75f], 1);
        var doc = Html.Parse(view.ToHtml("bi"));
        Assert.Equal(new byte[] { 128, 128, 64, 191 }, Convert.FromBase64String(doc.GetElementById("bi-data")!.TextContent));
        Assert.Equal(["H0"], view.HeadLabels);
    }

    [Fact]
    public void Twelve_heads_of_1024_tokens_stay_under_sixteen_megabytes()
    {
        int n = 1024, heads = 12;
        var view = new AttentionPatternView(Enumerable.Range(0, n).Select(i => $" t{i}").ToArray(), Samples.CausalPatterns(heads, n), heads);
        var html = view.ToHtml("big");
        Assert.InRange(html.Length, 8_000_000, 9_000_000);
        Assert.DoesNotContain("<canvas", html.Split("-tokens")[0].Split("ik-grid")[0]);
    }

    [Fact]
    public void The_tensor_factory_reads_a_batched_pattern_and_labels_heads_by_layer()
    {
        using var pattern = torch.tensor(Samples.CausalPatterns(2, 3), [1, 2, 3, 3]);
        var view = AttentionPatternView.FromTensor(pattern, ["a", "b", "c"], layer: 1);
        Assert.Equal(["L1H0", "L1H1"], view.HeadLabels);
        Assert.Equal(1f, view.Weight(1, 2, 1), 5);
        Assert.Equal(0f, view.Weight(0, 0, 2));
    }

    [Fact]
    public void Mismatched_weights_are_rejected_with_the_expected_count()
    {
        var error = Assert.Throws<ArgumentException>(() => new AttentionPatternView(["a", "b"], new float[3], 1));
        Assert.Contains("need 4", error.Message);
        Assert.Equal("weights", error.ParamName);
    }

    [Fact]
    public void The_plain_text_names_each_head_and_its_strongest_edges()
    {
        var text = Samples.Attention().ToPlainText();
        Assert.Contains("3 heads × 7 tokens", text);
        Assert.Contains("L0H1: ", text);
        Assert.Contains("L0H1: 1:\"The\"→0:\"<|endoftext|>\" 1.00, 2:\" cat\"→1:\"The\" 1.00", text);
    }
}
