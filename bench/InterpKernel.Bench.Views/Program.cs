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

// The charts are inline SVG with one small shared script: their size is what an output, a saved notebook and a
// report carry. Budget: a 12 × 20 patching heatmap at most 40 KB.
Console.WriteLine();
Console.WriteLine("## Charts: size of one output (inline SVG)");
Console.WriteLine();
Console.WriteLine("HTML is the text/html an output carries (style, SVG, the shared hover script); SVG is the standalone image/svg+xml. Budget: a 12 × 20 patching heatmap ≤ 40 KB.");
Console.WriteLine();
Console.WriteLine("| chart | HTML (KB) | SVG (KB) |");
Console.WriteLine("| --- | ---: | ---: |");
var random = new Random(5);
float[] Values(int n, double scale = 1) => Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();
var positions = PatchingHeatmapView.PositionLabels(Enumerable.Range(0, 20).Select(i => $" token{i}").ToArray());
var labels12 = Enumerable.Range(0, 12).Select(l => $"L{l}").ToArray();
var x40 = Enumerable.Range(1, 40).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
(string Name, ISvgView View)[] charts =
[
    ("heatmap 12 × 20", new PatchingHeatmapView(labels12.Select(_ => Values(20)).ToArray(), labels12, positions, "Residual stream patching") { XTitle = "position", YTitle = "layer" }),
    ("line, 40 points", new LineChartView("Loss per position", x40, new NamedValues("loss", Values(40, 4)))),
    ("multi-line, 3 × 12 points", new LineChartView("Probe accuracy", labels12, new NamedValues("a", Values(12)), new NamedValues("b", Values(12)), new NamedValues("c", Values(12)))),
    ("bar, 2 × 8 bars", new BarChartView("Ablation", labels12[..8], new NamedValues("first", Values(8)), new NamedValues("second", Values(8)))),
    ("histogram, 2 × 5,000 values", new HistogramView("Neuron on two sets", new NamedValues("a", Values(5000)), new NamedValues("b", Values(5000))) { Bins = 60 }),
    ("scatter, 96 points", new ScatterChartView("Heads", new ScatterSeries("heads", Values(96), Values(96)))),
];
foreach (var (name, chart) in charts)
{
    Console.WriteLine($"| {name} | {System.Text.Encoding.UTF8.GetByteCount(chart.ToHtml()) / 1e3:0.0} | {System.Text.Encoding.UTF8.GetByteCount(chart.ToSvg()) / 1e3:0.0} |");
}
return 0;
