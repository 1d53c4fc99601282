using InterpKernel.Notebook.Views;

namespace InterpKernel.Notebook.Tests;

[Collection("Browser")]
public class AnalysisBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task A_patching_heatmap_a_logit_lens_and_a_feature_dashboard_from_the_model_share_a_page_offline()
    {
        var s = AnalysisSamples.Get();
        var html = Html.Page(
            AnalysisViews.Patching(s.Patching).ToHtml("patch"),
            AnalysisViews.LogitLens(s.Lens).ToHtml("lens"),
            AnalysisViews.FeatureDashboard(s.NeuronDashboard).ToHtml("dash"),
            AnalysisViews.AttributionPatching(s.Attribution).ToHtml("attr"));
        await using var page = await browser.OpenAsync(html);
        var p = page.Page;
        // The patching heatmap, the dashboard and the grid of five attribution heatmaps each bind their chart script.
        await p.WaitForFunctionAsync("() => document.querySelectorAll('[data-ready=true]').length === 3");
        var xTicks = await p.EvalOnSelectorAllAsync<string[]>("#patch-plot .ik-xlabels text", "els => els.map(e => e.textContent)");
        Assert.Contains("2:  Abraham", xTicks);
        Assert.Equal(" Isaac", await p.EvalOnSelectorAsync<string>("#lens-table tbody tr:last-child td:last-child", "e => e.textContent"));
        Assert.Equal(3, await p.Locator("#dash-examples .ik-example").CountAsync());
        Assert.True(await p.Locator("#dash-hist-plot .ik-series rect[data-tip]").CountAsync() > 0, "the dashboard histogram drew no bars");
        Assert.Equal(5, await p.Locator("#attr-root svg.ik-plot").CountAsync());
        await page.ScreenshotAsync("analysis-views");
        page.AssertClean();
    }
}
