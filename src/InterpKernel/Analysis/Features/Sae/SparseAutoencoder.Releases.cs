using System.Text.RegularExpressions;
using InterpKernel.Loading;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

public sealed partial class SparseAutoencoder
{
    /// <summary>
    /// The one file of an SAE in Gemma Scope's layout: <c>W_enc [d_in, d_sae]</c>, <c>W_dec [d_sae, d_out]</c>,
    /// <c>b_enc [d_sae]</c>, <c>b_dec [d_out]</c> and <c>threshold [d_sae]</c>, JumpReLU, with <c>b_dec</c> not
    /// subtracted from the input. Without a hook name given, the hooks come from the path (a hub cache path keeps the
    /// repo name): <c>layer_L</c> names the layer, and the release names the site: <c>…-res</c> reads
    /// <c>blocks.L.hook_resid_post</c>, <c>…-mlp</c> <c>blocks.L.hook_mlp_out</c>, <c>…-att</c>
    /// <c>blocks.L.attn.hook_z</c>, and <c>…-transcoders</c> is a transcoder from <c>blocks.L.ln2.hook_normalized</c>
    /// to <c>blocks.L.hook_mlp_out</c>.
    /// </summary>
    public const string GemmaScopeFileName = "params.npz";

    /// <summary>
    /// Loads a transcoder saved in circuit-tracer's layout: one safetensors file per layer (<c>layer_L.safetensors</c>)
    /// holding <c>W_enc [d_sae, d_in]</c>, <c>W_dec [d_out, d_sae]</c>, <c>b_enc [d_sae]</c>, <c>b_dec [d_out]</c>,
    /// optionally <c>W_skip [d_out, d_in]</c> (applied as <c>x W_skipᵀ</c>) and <c>threshold [d_sae]</c> (JumpReLU;
    /// ReLU without it). The matrices are transposed into this library's layout; <c>b_dec</c> is not subtracted from
    /// the input.
    /// </summary>
    /// <param name="file">The layer's safetensors file.</param>
    /// <param name="hookName">The hook it reads; null means <c>blocks.L.ln2.hook_normalized</c>, L from the file name.</param>
    /// <param name="hookNameOut">The hook it predicts; null means <c>blocks.L.hook_mlp_out</c>.</param>
    /// <param name="device">Where the weights go; null keeps them on the CPU.</param>
    /// <param name="dtype">Converts the weights to this type; null keeps the stored one.</param>
    /// <example><code>using var transcoder = SparseAutoencoder.LoadCircuitTracerTranscoder("transcoders/layer_0.safetensors");</code></example>
    public static SparseAutoencoder LoadCircuitTracerTranscoder(string file, string? hookName = null, string? hookNameOut = null,
        Device? device = null, ScalarType? dtype = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(file);
        if (!File.Exists(file)) throw new FileNotFoundException($"No transcoder file at '{Path.GetFullPath(file)}'.", file);
        var (input, output) = TranscoderHooks(file, hookName, hookNameOut);
        using var st = SafeTensorsFile.Open(file);
        using var scope = NewDisposeScope();
        Tensor Get(string name) => st.Contains(name)
            ? st.Load(name, dtype, device)
            : throw new InvalidDataException($"{file}: the tensor '{name}' is missing (it holds {string.Join(", ", st.Tensors.Keys.Select(k => $"'{k}'"))}); a circuit-tracer transcoder holds W_enc, W_dec, b_enc and b_dec.");
        var wEnc = Get("W_enc");
        var wDec = Get("W_dec");
        if (wEnc.dim() != 2 || wDec.dim() != 2)
            throw new InvalidDataException($"{file}: W_enc and W_dec must be matrices, but have shapes [{string.Join(", ", wEnc.shape)}] and [{string.Join(", ", wDec.shape)}].");
        var weights = new Dictionary<string, Tensor>
        {
            ["W_enc"] = wEnc.t().contiguous(), // stored [d_sae, d_in]
            ["W_dec"] = wDec.t().contiguous(), // stored [d_out, d_sae]
            ["b_enc"] = Get("b_enc"),
            ["b_dec"] = Get("b_dec"),
        };
        if (st.Contains("W_skip")) weights["W_skip"] = Get("W_skip").t().contiguous(); // stored [d_out, d_in]
        if (st.Contains("threshold")) weights["threshold"] = Get("threshold");
        return FromReleaseWeights(file, weights, input, output);
    }

    static SparseAutoencoder LoadGemmaScope(string npz, string? hookName, string? hookNameOut, Device? device, ScalarType? dtype)
    {
        var arrays = NpzFile.Load(npz, dtype, device);
        try
        {
            foreach (var name in new[] { "W_enc", "W_dec", "b_enc", "b_dec", "threshold" })
                if (!arrays.ContainsKey(name))
                    throw new InvalidDataException($"{npz}: the array '{name}' is missing (it holds {string.Join(", ", arrays.Keys.Select(k => $"'{k}'"))}); a Gemma Scope SAE holds W_enc, W_dec, b_enc, b_dec and threshold.");
            var (input, output) = GemmaScopeHooks(npz, hookName, hookNameOut);
            return FromReleaseWeights(npz, arrays, input, output);
        }
        finally
        {
            foreach (var t in arrays.Values) t.Dispose();
        }
    }

    /// <summary>An SAE from weights already in this library's layout, sized by their shapes.</summary>
    static SparseAutoencoder FromReleaseWeights(string source, Dictionary<string, Tensor> w, string hookName, string? hookNameOut)
    {
        if (w["W_enc"].dim() != 2 || w["W_dec"].dim() != 2)
            throw new InvalidDataException($"{source}: W_enc and W_dec must be matrices, but have shapes [{string.Join(", ", w["W_enc"].shape)}] and [{string.Join(", ", w["W_dec"].shape)}].");
        int dIn = (int)w["W_enc"].shape[0], dSae = (int)w["W_enc"].shape[1], dOut = (int)w["W_dec"].shape[1];
        if (hookNameOut is null && dOut != dIn)
            throw new InvalidDataException($"{source}: W_dec writes {dOut} values but W_enc reads {dIn}: this is a transcoder; name the hook it predicts (hookNameOut).");
        var config = new SaeConfig(w.ContainsKey("threshold") ? SaeArchitecture.JumpRelu : SaeArchitecture.Standard, dIn, dSae, hookName)
        {
            ApplyBDecToInput = false,
            HookNameOut = hookNameOut,
            DOut = hookNameOut is null ? null : dOut,
            HasSkip = w.ContainsKey("W_skip"),
        };
        try
        {
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
        var weights = new Dictionary<string, Tensor>
        {
            ["W_enc"] = w["W_enc"],
            ["W_dec"] = w["W_dec"],
            ["b_enc"] = Check(source, "b_enc", w["b_enc"], dSae),
            ["b_dec"] = Check(source, "b_dec", w["b_dec"], config.OutputWidth),
        };
        if (config.Architecture == SaeArchitecture.JumpRelu) weights["threshold"] = Check(source, "threshold", w["threshold"], dSae);
        if (config.HasSkip) weights["W_skip"] = Check(source, "W_skip", w["W_skip"], dIn, config.OutputWidth);
        foreach (var (name, t) in weights) Check(source, name, t, t.shape);
        return Build(config, weights, copy: true);
    }

    static (string Input, string? Output) GemmaScopeHooks(string path, string? hookName, string? hookNameOut)
    {
        string normalized = path.Replace('\\', '/');
        int? layer = LayerInPath(normalized);
        var site = GemmaScopeSite().Match(normalized);
        string? kind = site.Success ? site.Groups[1].Value : null;
        if (hookName is not null) return (hookName, hookNameOut ?? (kind == "transcoders" ? InterpKernel.HookNames.Of("mlp_out", LayerFromHook(hookName, path)) : null));
        if (layer is not { } l || kind is null)
            throw new ArgumentException(
                $"Cannot tell which hook the Gemma Scope SAE at '{path}' reads: its path names no layer_N folder or no gemma-scope-…-res/-mlp/-att/-transcoders release. Pass hookName (and hookNameOut for a transcoder).",
                nameof(hookName));
        return kind switch
        {
            "res" => (InterpKernel.HookNames.Of("resid_post", l), hookNameOut),
            "mlp" => (InterpKernel.HookNames.Of("mlp_out", l), hookNameOut),
            "att" => (InterpKernel.HookNames.Of("z", l), hookNameOut),
            _ => (InterpKernel.HookNames.Of("normalized", l, "ln2"), hookNameOut ?? InterpKernel.HookNames.Of("mlp_out", l)),
        };
    }

    static (string Input, string Output) TranscoderHooks(string file, string? hookName, string? hookNameOut)
    {
        int? layer = hookName is not null ? LayerFromHook(hookName, file) : LayerInPath(Path.GetFileName(file));
        if (layer is not { } l)
            throw new ArgumentException($"Cannot tell which layer the transcoder '{file}' belongs to: its name is not layer_N.safetensors. Pass hookName.", nameof(hookName));
        return (hookName ?? InterpKernel.HookNames.Of("normalized", l, "ln2"), hookNameOut ?? InterpKernel.HookNames.Of("mlp_out", l));
    }

    static int LayerFromHook(string hookName, string source) => InterpKernel.HookNames.LayerOf(hookName)
        ?? throw new ArgumentException($"'{hookName}' names no layer, so the output hook of the transcoder at '{source}' is unknown: pass hookNameOut.", nameof(hookName));

    static int? LayerInPath(string path)
    {
        var m = LayerPattern().Match(path);
        return m.Success ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"(?:^|/)layer_(\d+)(?:/|\.|$)")]
    private static partial Regex LayerPattern();

    [GeneratedRegex(@"gemma-scope-[^/]*?-(res|mlp|att|transcoders)(?:/|$|-)")]
    private static partial Regex GemmaScopeSite();
}
