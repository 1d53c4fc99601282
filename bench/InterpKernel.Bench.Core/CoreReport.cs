using System.Text;

namespace InterpKernel.Bench.Core;

/// <summary>Collects the measurements and writes them as a markdown section with the targets checked.</summary>
sealed class CoreReport(int threads, Baseline baseline, string device = "cpu")
{
    readonly Dictionary<(string Case, int Batch), Outcome<Measurement>> _cases = new();
    long _parameters;
    Outcome<LoadMeasurement>? _load;
    string? _loadError;

    public void Add(string name, int batch, Outcome<Measurement> outcome) => _cases[(name, batch)] = outcome;

    public void Loading(long parameters, Outcome<LoadMeasurement> outcome)
    {
        _parameters = parameters;
        _load = outcome;
    }

    public void LoadingFailed(string error) => _loadError = error;

    double? Ms(string name, int batch) => _cases.TryGetValue((name, batch), out var o) ? o.Value?.MedianMs : null;

    double? PairedMs(string name, int batch) => _cases.TryGetValue((name, batch), out var o) ? o.Value?.PairedMedianMs : null;

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        var cfg = TransformerCases.Gpt2Small;
        md.AppendLine($"## Hooked transformer core (GPT-2-small shape, {(device == "cpu" ? "CPU" : device)})");
        md.AppendLine();
        md.AppendLine($"`HookedTransformer.FromConfig` with random weights: {cfg.NLayers} layers, d_model {cfg.DModel}, {cfg.NHeads} heads × d_head {cfg.DHead}, " +
                      $"d_mlp {cfg.DMlp}, vocab {cfg.DVocab}, n_ctx {cfg.NCtx}, gelu_new, LayerNorm; float32; prompts of {TransformerCases.PromptTokens} random tokens; " +
                      $"`torch.no_grad()`; `torch.set_num_threads({threads})`. Each row ran in a fresh process: one warm-up, then the median of *runs* " +
                      "timed runs. *RSS after build* is the process's resident memory once the model exists; *peak RSS* is the process's VmHWM " +
                      "at the end of the row (model, warm-up and runs). Generation: " + TransformerCases.NewTokens + " new tokens, greedy, " +
                      "`Generate(tokens, 32, 0f, null, stopAtEos: false, useKeyValueCache: …)`.");
        md.AppendLine();
        md.AppendLine("Where a ratio is a target, the row also ran its partner in the same process, alternating run by run, so that load from " +
                      "other processes falls on both alike; the targets below use these paired medians.");
        md.AppendLine();
        md.AppendLine("| case | batch | median ms | min ms | max ms | runs | paired with: median ms | RSS after build MiB | peak RSS after build MiB | peak RSS at end MiB |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |");
        foreach (var ((name, batch), o) in _cases)
        {
            if (name == "gemm") continue;
            if (o.Value is { } m)
            {
                string paired = m.PairedCase is null ? "" : $"{Label(m.PairedCase)}: {m.PairedMedianMs:F1}";
                md.AppendLine($"| {Label(name)} | {batch} | {m.MedianMs:F1} | {m.MinMs:F1} | {m.MaxMs:F1} | {m.Runs} | {paired} | {m.ModelMiB:F0} | {m.BuildPeakMiB:F0} | {m.PeakMiB:F0} |");
            }
            else
                md.AppendLine($"| {Label(name)} | {batch} | failed: {Cell(o.Error)} | | | | | | | |");
        }
        md.AppendLine();

        md.AppendLine("### Against the PyTorch baseline");
        md.AppendLine();
        md.AppendLine($"Baseline: `bench/pytorch/gpt2_small.py`, PyTorch {baseline.Describe("torch")} (Debian python3-torch), BLAS: {baseline.Describe("blas")}. " +
                      "It is a plain GPT-2 forward in torch ops with the same shapes, random weights, `torch.no_grad()` and the same thread count; " +
                      "its attention materialises the `[batch, head, query, key]` pattern (matmul, causal mask, softmax, matmul), as TransformerLens does. " +
                      "Two variants: *netlib* runs every product through `torch.matmul`/`F.linear`, i.e. the reference BLAS Debian's package links; " +
                      "*oneDNN* runs the projections, MLP and unembedding through oneDNN (`torch._C._nn.mkldnn_linear`), which this PyTorch build bundles, " +
                      "and keeps the attention products on `torch.matmul`.");
        if (baseline.Error is not null) md.AppendLine().AppendLine($"Baseline not available: {Cell(baseline.Error)}.");
        md.AppendLine();
        double? gemm = Ms("gemm", 0);
        string ours = gemm is { } g ? $"{Gflops(g):F1}" : "n/a";
        md.AppendLine($"Raw sgemm throughput, [1024×768]·[768×3072]: TorchSharp (libtorch {TorchSharp.torch.__version__}) {ours} GFLOP/s; " +
                      $"PyTorch netlib {baseline.Describe("gemm_gflops_netlib")} GFLOP/s; PyTorch oneDNN linear {baseline.Describe("gemm_gflops_onednn")} GFLOP/s.");
        md.AppendLine();
        md.AppendLine("| batch | InterpKernel Forward ms | PyTorch oneDNN ms | PyTorch netlib ms | Forward ÷ oneDNN | Forward ÷ netlib | PyTorch oneDNN peak RSS MiB |");
        md.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (int batch in new[] { 1, 8 })
        {
            double? f = Ms("forward", batch), one = baseline.MedianMs("forward", "onednn", batch), net = baseline.MedianMs("forward", "netlib", batch);
            md.AppendLine($"| {batch} | {F(f)} | {F(one)} | {F(net)} | {Ratio(f, one)} | {Ratio(f, net)} | {F(baseline.PeakMiB("forward", "onednn", batch), "F0")} |");
        }
        md.AppendLine();

        md.AppendLine("### Targets");
        md.AppendLine();
        md.AppendLine("| target | batch | measured | result |");
        md.AppendLine("| --- | ---: | ---: | --- |");
        foreach (int batch in new[] { 1, 8 })
        {
            double? f = PairedMs("run-with-cache", batch), c = Ms("run-with-cache", batch);
            double? one = baseline.MedianMs("forward", "onednn", batch), fwd = Ms("forward", batch);
            double? kv = PairedMs("generate-full", batch), full = Ms("generate-full", batch);
            md.AppendLine($"| RunWithCache ≤ 1.10 × Forward | {batch} | {Ratio(c, f)} | {Verdict(c / f, r => r <= 1.10)} |");
            md.AppendLine($"| Forward ≤ 1.10 × PyTorch (oneDNN variant) | {batch} | {Ratio(fwd, one)} | {Verdict(fwd / one, r => r <= 1.10)} |");
            md.AppendLine($"| generation with KV cache ≥ 5 × faster than without (32 new tokens) | {batch} | {Ratio(full, kv)} | {Verdict(full / kv, r => r >= 5)} |");
        }
        md.AppendLine();
        md.Append(LoadingMarkdown());
        return md.ToString();
    }

    string LoadingMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine("## Loading a checkpoint (FromPretrained)");
        md.AppendLine();
        md.AppendLine($"A float32 GPT-2 checkpoint in Hugging Face's layout (Conv1D weights, tied embeddings, config.json) with random weights: " +
                      $"d_model {Gpt2Checkpoint.DModel}, {Gpt2Checkpoint.NLayers} layers, {Gpt2Checkpoint.NHeads} heads, vocab {Gpt2Checkpoint.DVocab}, " +
                      $"n_ctx {Gpt2Checkpoint.NCtx}: {_parameters:N0} parameters, written by `SafeTensorsWriter.Save` into a temporary folder. " +
                      "In one fresh process, each row is run once to warm up (which fills the page cache), then timed; medians. " +
                      "*cat* is `/bin/sh -c 'cat model.safetensors > /dev/null'` (process start included); *reader* opens the folder with " +
                      "`CheckpointReader` (no mapping) and reads every tensor as float32 into new memory; *load* is " +
                      "`FromPretrained(folder, new LoadOptions { Dtype = ScalarType.Float32, ProcessWeights = false })`, the checkpoint as stored, ready to run, " +
                      "with the file memory-mapped (the default); *load + touch* is that load followed by a sum over every parameter, which " +
                      "reads every weight byte and so faults in every mapped page (what `cat` does to the file); *load, read* is the same load with " +
                      "`MemoryMap = false`, which reads copies of the tensors (the baseline before mapping); the *processing* columns are the default " +
                      "`FromPretrained`, which also folds and centres the weights in float64 as TransformerLens does, mapped and read.");
        md.AppendLine();
        if (_loadError is not null || _load?.Value is null)
        {
            md.AppendLine($"Loading bench failed: {Cell(_loadError ?? _load?.Error)}.");
            md.AppendLine();
            return md.ToString();
        }
        var l = _load.Value;
        md.AppendLine("| file MiB | runs | cat ms | reader ms | load ms | load + touch ms | load, read ms | load + processing ms | load + processing, read ms | peak RSS MiB |");
        md.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        md.AppendLine($"| {l.FileBytes / 1048576.0:F0} | {l.Runs} | {l.CatMs:F1} | {l.ReaderMs:F1} | {l.LoadMs:F1} | {l.LoadTouchMs:F1} | {l.LoadReadMs:F1} | {l.ProcessedMs:F1} | {l.ProcessedReadMs:F1} | {l.PeakMiB:F0} |");
        md.AppendLine();
        md.AppendLine($"Target load ≤ 2 × cat: {l.LoadMs / l.CatMs:F2} × — {Verdict(l.LoadMs / l.CatMs, r => r <= 2)}. " +
                      $"Counting the reads the mapping defers (load + touch): {l.LoadTouchMs / l.CatMs:F2} × cat — {Verdict(l.LoadTouchMs / l.CatMs, r => r <= 2)}. " +
                      $"Against reading copies in the same run: load is {l.LoadReadMs / l.LoadMs:F1} × faster than the read load, load + touch " +
                      $"{l.LoadReadMs / l.LoadTouchMs:F1} ×; with processing, mapping gives {l.ProcessedReadMs / l.ProcessedMs:F2} ×. " +
                      "Reading copies costs more than `cat` because every copy lands in freshly allocated memory (a page fault per 4 KiB page), " +
                      "while `cat` into /dev/null reuses one small buffer; mapped weights share the page cache's pages, so nothing is copied.");
        md.AppendLine();
        return md.ToString();
    }

    static string Label(string name) => name switch
    {
        "forward" => "Forward",
        "run-with-cache" => "RunWithCache (every hook)",
        "generate-kv" => "Generate 32, KV cache",
        "generate-full" => "Generate 32, no KV cache",
        _ => name,
    };

    static double Gflops(double ms) => 2.0 * 1024 * 768 * 3072 / (ms / 1000) / 1e9;

    static string F(double? v, string format = "F1") => v is { } x ? x.ToString(format) : "n/a";

    static string Ratio(double? a, double? b) => a is { } x && b is { } y && y > 0 ? $"{x / y:F2} ×" : "n/a";

    static string Verdict(double? ratio, Func<double, bool> pass) =>
        ratio is { } r && !double.IsNaN(r) ? (pass(r) ? "**pass**" : "**FAIL**") : "not measured";

    static string Cell(string? text) => (text ?? "unknown error").Replace("|", "\\|").Replace("\n", " ").Trim();
}
