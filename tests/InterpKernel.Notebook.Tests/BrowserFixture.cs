using Microsoft.Playwright;

namespace InterpKernel.Notebook.Tests;

/// <summary>
/// One headless Chromium (the system's /usr/bin/chromium, never a downloaded one) shared by the browser tests.
/// Pages get every request routed: anything but data: URLs is recorded and aborted, so a view that needs the
/// network fails its test.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>artifacts/views at the repository root (next to the test output when run outside the repository).</summary>
    public static string ScreenshotFolder { get; } = FindScreenshotFolder();

    private static string FindScreenshotFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "InterpKernel.sln"))) return Path.Combine(dir.FullName, "artifacts", "views");
        }
        return Path.Combine(AppContext.BaseDirectory, "screenshots");
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Chromium (apt-get install -y chromium) to run the browser tests.");
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
    }

    /// <summary>Opens <paramref name="html"/> in a fresh page and waits until a view reports it has drawn.</summary>
    public async Task<LoadedPage> OpenAsync(string html)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        var loaded = new LoadedPage(context, page);
        page.Console += (_, message) => { if (message.Type == "error") loaded.Errors.Add("console: " + message.Text); };
        page.PageError += (_, error) => loaded.Errors.Add("page error: " + error);
        await page.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url.StartsWith("data:", StringComparison.Ordinal)) { await route.ContinueAsync(); return; }
            loaded.Requests.Add(route.Request.Url);
            await route.AbortAsync();
        });
        await page.SetContentAsync(html, new PageSetContentOptions { Timeout = 60_000 });
        await page.WaitForFunctionAsync("() => window.__interpkernelReady === true", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        return loaded;
    }
}

/// <summary>A page with what went wrong while it loaded.</summary>
public sealed class LoadedPage(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;

    public List<string> Errors { get; } = [];

    public List<string> Requests { get; } = [];

    public async Task ScreenshotAsync(string name) =>
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, name + ".png"), FullPage = true });

    public void AssertClean()
    {
        Assert.True(Errors.Count == 0, "errors while loading: " + string.Join("; ", Errors));
        Assert.True(Requests.Count == 0, "network requests while loading: " + string.Join(", ", Requests));
    }

    public async ValueTask DisposeAsync() => await context.CloseAsync();
}

[CollectionDefinition("Browser")]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>;
