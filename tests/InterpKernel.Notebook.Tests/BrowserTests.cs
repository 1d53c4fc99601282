using InterpKernel.Notebook.Views;

namespace InterpKernel.Notebook.Tests;

[Collection("Browser")]
public class BrowserTests(BrowserFixture browser)
{
    private static readonly Dictionary<string, Func<IHtmlView>> Views = new()
    {
        ["attention"] = Samples.Attention,
        ["colored-tokens"] = Samples.Colored,
        ["top-k"] = Samples.TopK,
        ["logit-lens"] = Samples.Lens,
        ["feature-dashboard"] = Samples.Dashboard,
    };

    public static TheoryData<string> ViewNames => new(Views.Keys);

    [Theory]
    [MemberData(nameof(ViewNames))]
    public async Task Each_view_loads_with_no_console_errors_and_no_network_requests(string name)
    {
        var html = Html.Page(Views[name]().ToHtml($"v{name.Replace("-", "")}"));
        if (!html.Contains("window.__interpkernelReady", StringComparison.Ordinal))
        {
            // Static tables have no script; the page is ready as soon as it is parsed.
            html = html.Replace("</body>", "<script>window.__interpkernelReady=true</script></body>");
        }
        await using var page = await browser.OpenAsync(html);
        await page.ScreenshotAsync(name);
        page.AssertClean();
    }

    [Fact]
    public async Task Hovering_a_token_in_the_attention_view_shades_the_tokens_it_attends_to()
    {
        await using var page = await browser.OpenAsync(Html.Page(Samples.Attention().ToHtml("att")));
        var p = page.Page;
        // Head L0H1 is a previous-token head: token 4 attends only to token 3.
        await p.ClickAsync("#att-grid .ik-thumb[data-head='1']");
        Assert.Equal("L0H1", await p.TextContentAsync("#att-main .ik-head-name"));
        await p.HoverAsync("#att-tokens .ik-tok[data-i='4']");
        var attended = await p.EvalOnSelectorAllAsync<int[]>("#att-tokens .ik-tok.ik-attended", "els => els.map(e => +e.dataset.i)");
        Assert.Equal([3], attended);
        Assert.Equal("rgb(166, 54, 3)", await p.EvalOnSelectorAsync<string>("#att-tokens .ik-tok[data-i='3']", "e => getComputedStyle(e).backgroundColor"));
        Assert.Equal("rgba(0, 0, 0, 0)", await p.EvalOnSelectorAsync<string>("#att-tokens .ik-tok[data-i='2']", "e => getComputedStyle(e).backgroundColor"));
        Assert.Equal(1, await p.Locator("#att-tokens .ik-tok.ik-focus[data-i='4']").CountAsync());
        await page.ScreenshotAsync("attention-hover");

        // The other direction: token 4 is attended to by token 5 only.
        await p.SelectOptionAsync("#att-dir", "from");
        await p.HoverAsync("#att-tokens .ik-tok[data-i='4']");
        Assert.Equal(new[] { 5 }, await p.EvalOnSelectorAllAsync<int[]>("#att-tokens .ik-tok.ik-attended", "els => els.map(e => +e.dataset.i)"));
        page.AssertClean();
    }

    [Fact]
    public async Task The_attention_view_at_1024_tokens_and_12_heads_draws_and_shades_without_a_node_per_cell()
    {
        int n = 1024;
        var view = new AttentionPatternView(Enumerable.Range(0, n).Select(i => $" t{i}").ToArray(), Samples.CausalPatterns(12, n), 12);
        await using var page = await browser.OpenAsync(Html.Page(view.ToHtml("big")));
        var p = page.Page;
        Assert.InRange(await p.EvaluateAsync<int>("() => document.querySelectorAll('#big-root *').length"), n, n + 200);
        await p.ClickAsync("#big-grid .ik-thumb[data-head='1']");
        await p.HoverAsync("#big-tokens .ik-tok[data-i='1000']");
        Assert.Equal(new[] { 999 }, await p.EvalOnSelectorAllAsync<int[]>("#big-tokens .ik-tok.ik-attended", "els => els.map(e => +e.dataset.i)"));
        await page.ScreenshotAsync("attention-1024");
        page.AssertClean();
    }

    [Fact]
    public async Task The_enlarged_head_of_a_16_token_prompt_labels_every_token()
    {
        var tokens = Enumerable.Range(0, 16).Select(i => $" w{i}").ToArray();
        var view = new AttentionPatternView(tokens, Samples.CausalPatterns(2, 16), 2);
        await using var page = await browser.OpenAsync(Html.Page(view.ToHtml("lab")));
        Assert.Equal("1", await page.Page.GetAttributeAsync("#lab-root .ik-main canvas", "data-label-step"));
        await page.ScreenshotAsync("attention-16-tokens");
        page.AssertClean();
    }

    [Fact]
    public async Task Switching_the_activation_recolours_the_tokens()
    {
        await using var page = await browser.OpenAsync(Html.Page(Samples.Colored().ToHtml("ct")));
        var p = page.Page;
        Assert.Equal("rgb(33, 102, 172)", await p.EvalOnSelectorAsync<string>("#ct-tokens .ik-tok[data-i='5']", "e => getComputedStyle(e).backgroundColor"));
        await p.SelectOptionAsync("#ct-set", "1");
        Assert.Equal("rgb(178, 24, 43)", await p.EvalOnSelectorAsync<string>("#ct-tokens .ik-tok[data-i='0']", "e => getComputedStyle(e).backgroundColor"));
        Assert.Equal("0:  L1 N7 = 1".Replace("0:  ", "0: <|endoftext|>  "), await p.GetAttributeAsync("#ct-tokens .ik-tok[data-i='0']", "title"));
        Assert.Equal("-1", await p.TextContentAsync("#ct-legend .ik-legend-low"));
        page.AssertClean();
    }

    [Fact]
    public async Task Several_views_share_a_page_without_errors()
    {
        await using var page = await browser.OpenAsync(Html.Page(Samples.Attention().ToHtml(), Samples.Attention().ToHtml(), Samples.Heatmap().ToHtml(), Samples.Histogram().ToHtml()));
        await page.Page.WaitForFunctionAsync("() => document.querySelectorAll('.ik-view[data-ready=true]').length === 4");
        await page.ScreenshotAsync("several-views");
        page.AssertClean();
    }

    [Fact]
    public async Task Views_sharing_a_page_through_PageAssets_carry_their_scripts_once_and_all_draw()
    {
        var assets = new PageAssets();
        var outputs = new[] { Samples.Attention().ToHtml(), Samples.Heatmap().ToHtml(), Samples.Attention().ToHtml(), Samples.Heatmap().ToHtml(), Samples.Histogram().ToHtml() };
        var shared = outputs.Select(assets.Share).ToArray();
        var html = Html.Page(shared);
        Assert.Equal(1, html.Split("window.__ikAttention=window.__ikAttention||").Length - 1);
        Assert.Equal(1, html.Split("window.__ikChart=window.__ikChart||").Length - 1);
        Assert.Equal(outputs[0], shared[0]);
        Assert.True(shared.Skip(2).Sum(s => s.Length) < outputs.Skip(2).Sum(s => s.Length));
        await using var page = await browser.OpenAsync(html);
        await page.Page.WaitForFunctionAsync("() => document.querySelectorAll('.ik-view[data-ready=true]').length === 5");
        page.AssertClean();
    }
}
