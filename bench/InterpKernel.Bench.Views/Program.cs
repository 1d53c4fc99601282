// Renders the attention view at 128 and 1,024 tokens × 12 heads (random causal softmax patterns) and measures
// the HTML size and how long headless Chromium takes from navigation until the view has drawn.
using System.Diagnostics;
using InterpKernel.Bench;
using InterpKernel.Notebook.Views;
using Microsoft.Playwright;
using TorchSharp;

const int heads = 12;
const string chromium = "/usr/bin/chromium";
// --device and --dtype say where the patterns are made (the view copies them to the CPU to render).
var bench = BenchDevice.Parse(args);
var sizeArgs = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || !args[i - 1].StartsWith("--", StringComparison.Ordinal))).ToArray();
int[] sizes = sizeArgs.Length > 0 ? sizeArgs.Select(int.Parse).ToArray() : [128, 1024];

if (!File.Exists(chromium))
{
    Console.Error.WriteLine($"{chromium} is missing: install Chromium (apt-get install -y chromium).");
    return 1;
}

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = chromium,
    Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});

Console.WriteLine("## Attention-pattern view: HTML size and time to interactive (headless Chromium)");
Console.WriteLine();
Console.WriteLine("Random causal softmax patterns, 12 heads; *interactive* is the best of three fresh page loads, from navigation until the view's script has drawn every head. Targets at 1,024 tokens: interactive < 2 s, HTML < 16 MB.");
Console.WriteLine();
Console.WriteLine("| tokens | heads | HTML size (MB) | render in .NET (ms) | interactive in Chromium (ms) |");
Console.WriteLine("| ---: | ---: | ---: | ---: | ---: |");
foreach (var n in sizes)
{
    torch.manual_seed(0);
    AttentionPatternView view;
    using (var scope = torch.NewDisposeScope())
    {
        var scores = torch.randn([heads, n, n], device: bench.Device) * 2;
        var mask = torch.ones([n, n], device: bench.Device).triu(1).to(torch.@bool);
        var pattern = scores.masked_fill(mask, double.NegativeInfinity).softmax(-1).to(bench.Dtype ?? torch.ScalarType.Float32);
        view = AttentionPatternView.FromTensor(pattern, Enumerable.Range(0, n).Select(i => $" tok{i}").ToArray(), layer: 0);
    }

    var render = Stopwatch.StartNew();
    var html = view.ToHtml();
    render.Stop();
    var path = Path.Combine(Path.GetTempPath(), $"interpkernel-attention-{n}.html");
    await File.WriteAllTextAsync(path, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>" + html + "</body></html>");
    var bytes = new FileInfo(path).Length;

    // Best of three fresh pages, so one cold start does not decide the number.
    double best = double.MaxValue;
    for (int run = 0; run < 3; run++)
    {
        var page = await browser.NewPageAsync();
        var clock = Stopwatch.StartNew();
        await page.GotoAsync(new Uri(path).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Commit, Timeout = 60_000 });
        await page.WaitForFunctionAsync("() => window.__interpkernelReady === true", null, new PageWaitForFunctionOptions { Timeout = 60_000, PollingInterval = 5 });
        clock.Stop();
        best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
        await page.CloseAsync();
    }
    File.Delete(path);
    Console.WriteLine($"| {n} | {heads} | {bytes / 1e6:0.00} | {render.Elapsed.TotalMilliseconds:0} | {best:0} |");
}
return 0;
