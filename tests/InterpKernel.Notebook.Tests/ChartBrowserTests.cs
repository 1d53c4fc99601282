using InterpKernel.Notebook.Views;

namespace InterpKernel.Notebook.Tests;

/// <summary>Every chart kind in a real browser with no network: it draws, logs no error, requests nothing, and hovering a mark shows its value.</summary>
[Collection("Browser")]
public class ChartBrowserTests(BrowserFixture browser)
{
    /// <summary>Each chart kind, its marks, and one mark (its index, or -1 for the last) whose hover text the test checks.</summary>
    private static readonly Dictionary<string, (Func<IHtmlView> View, string Marks, int Mark, string Tip)> Charts = new()
    {
        ["chart-heatmap"] = (Samples.Heatmap12x20, ".ik-cells rect", 21, "L1 · 1:  Abraham: "),
        ["chart-line"] = (Samples.SingleLine, "circle", 0, "loss · 1: 7"),
        ["chart-multi-line"] = (Samples.Line, "circle", 5, "test · L1: 0.65"),
        ["chart-bar"] = (Samples.Bars, ".ik-series rect", 9, "second copy · L1H3: 1.4"),
        ["chart-histogram"] = (Samples.Histogram, ".ik-series rect", -1, "fortunes · ["),
        ["chart-scatter"] = (Samples.Scatter, "circle", 0, "L0H0: (0.9, 0)"),
    };

    public static TheoryData<string> ChartNames => new(Charts.Keys);

    [Theory]
    [MemberData(nameof(ChartNames))]
    public async Task Each_chart_draws_offline_and_hovering_a_mark_shows_its_value(string name)
    {
        var (view, selector, mark, tip) = Charts[name];
        await using var page = await browser.OpenAsync(Html.Page(view().ToHtml("c")));
        var p = page.Page;
        Assert.Equal("true", await p.GetAttributeAsync("#c-root", "data-ready"));
        var box = await p.Locator("#c-plot").BoundingBoxAsync();
        Assert.True(box is { Width: > 200, Height: > 150 }, $"the chart is {box?.Width} × {box?.Height} px");
        // The last mark lies on top of overlaid ones (the histogram's second set).
        var marks = p.Locator($"#c-plot {selector}[data-tip]");
        var target = mark < 0 ? marks.Last : marks.Nth(mark);
        await target.HoverAsync();
        Assert.Equal("block", await p.EvalOnSelectorAsync<string>("#c-root-tip", "e => getComputedStyle(e).display"));
        Assert.StartsWith(tip, await p.TextContentAsync("#c-root-tip"));
        await page.ScreenshotAsync(name);
        await target.ClickAsync();
        Assert.StartsWith(tip, await p.TextContentAsync("#c-root .ik-pin"));
        await target.ClickAsync();
        Assert.Equal(0, await p.Locator("#c-root .ik-pin").CountAsync());
        page.AssertClean();
    }

    [Fact]
    public async Task Without_scripts_a_chart_still_draws_and_keeps_its_values_as_titles()
    {
        var context = await browser.Browser.NewContextAsync(new() { JavaScriptEnabled = false, ViewportSize = new() { Width = 900, Height = 600 } });
        try
        {
            var page = await context.NewPageAsync();
            var requests = new List<string>();
            await page.RouteAsync("**/*", async route => { requests.Add(route.Request.Url); await route.AbortAsync(); });
            await page.SetContentAsync(Html.Page(Samples.Heatmap12x20().ToHtml("s")));
            Assert.Equal(240, await page.Locator("#s-plot .ik-cells rect").CountAsync());
            Assert.StartsWith("L0 · 0:  And: ", await page.Locator("#s-plot .ik-cells rect title").First.TextContentAsync());
            await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "chart-heatmap-no-script.png"), FullPage = true });
            Assert.Empty(requests);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact]
    public async Task A_long_token_label_is_shortened_and_shows_its_full_text_on_hover()
    {
        await using var page = await browser.OpenAsync(Html.Page(Samples.Heatmap12x20().ToHtml("lb")));
        var p = page.Page;
        var label = p.Locator("#lb-plot .ik-xlabels [data-tip]").First;
        Assert.Equal("19:  a burn…", await label.TextContentAsync());
        await label.HoverAsync();
        Assert.Equal("19:  a burnt offering", await p.TextContentAsync("#lb-root-tip"));
        page.AssertClean();
    }
}
