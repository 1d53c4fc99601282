using System.Text.Json;
using System.Text.Json.Nodes;
using InterpKernel.Hub;
using InterpKernel.Loading;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

public sealed partial class SparseAutoencoder
{
    /// <summary>The config file name of the SAELens layout.</summary>
    public const string ConfigFileName = "cfg.json";

    /// <summary>The weights file name of the SAELens layout.</summary>
    public const string WeightsFileName = "sae_weights.safetensors";

    /// <summary>
    /// Loads an SAE or transcoder. A folder in the SAELens layout holds <c>cfg.json</c> (<c>architecture</c>, <c>d_in</c>,
    /// <c>d_sae</c>, <c>hook_name</c>, <c>k</c> for top-k, <c>apply_b_dec_to_input</c>; for a transcoder also
    /// <c>hook_name_out</c>, <c>d_out</c>) and <c>sae_weights.safetensors</c>. A folder of Gemma Scope's layout holds
    /// only <c>params.npz</c> (JumpReLU; sizes come from the shapes, the hooks from <paramref name="hookName"/> or from
    /// the path, as described at <see cref="GemmaScopeFileName"/>). A <c>.npz</c> file loads as Gemma Scope, a
    /// <c>.safetensors</c> file as a circuit-tracer transcoder (<see cref="LoadCircuitTracerTranscoder"/>).
    /// Weights are checked against the config; a file that does not fit gets an error naming it and the tensor.
    /// A Hugging Face repo id that is not a local folder downloads the files from the repo's top level into
    /// the hub cache first; for an SAE in a folder of the repo use <see cref="Load(string, string, Device?, ScalarType?, HubOptions?, string, string?, string?)"/>.
    /// </summary>
    /// <param name="folderOrRepoId">A local folder or file, or a hub model id such as <c>org/name</c>.</param>
    /// <param name="device">Where the weights go; null keeps them on the CPU.</param>
    /// <param name="dtype">Converts the weights to this type; null keeps the stored one.</param>
    /// <param name="hubOptions">For a repo id: endpoint, token and cache; null reads the environment.</param>
    /// <param name="revision">For a repo id: a branch, tag or commit.</param>
    /// <param name="hookName">For layouts without a config (Gemma Scope, circuit-tracer): the hook the SAE or transcoder reads; null infers it from the path.</param>
    /// <param name="hookNameOut">For layouts without a config: the hook a transcoder predicts; null infers it (a Gemma Scope SAE outside a transcoder release has none).</param>
    /// <example><code>using var sae = SparseAutoencoder.Load("saes/blocks.1.hook_resid_pre", device: model.Device);</code></example>
    public static SparseAutoencoder Load(string folderOrRepoId, Device? device = null, ScalarType? dtype = null,
        HubOptions? hubOptions = null, string revision = "main", string? hookName = null, string? hookNameOut = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folderOrRepoId);
        string full = Path.GetFullPath(folderOrRepoId);
        if (File.Exists(full))
        {
            if (full.EndsWith(".npz", StringComparison.OrdinalIgnoreCase)) return LoadGemmaScope(full, hookName, hookNameOut, device, dtype);
            if (full.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) return LoadCircuitTracerTranscoder(full, hookName, hookNameOut, device, dtype);
            throw new ArgumentException($"'{full}' is a file of no known SAE layout: pass a folder, a Gemma Scope {GemmaScopeFileName} or a circuit-tracer layer_N.safetensors.", nameof(folderOrRepoId));
        }
        if (!Directory.Exists(full))
        {
            if (HubClient.LooksLikeRepoId(folderOrRepoId))
                full = DownloadFromHub(folderOrRepoId, null, revision, hubOptions);
            else
                throw new DirectoryNotFoundException(
                    $"No SAE folder at '{full}', and '{folderOrRepoId}' is not a Hugging Face repo id either. Pass the folder holding {ConfigFileName} and {WeightsFileName} (or {GemmaScopeFileName}), or a repo id such as \"org/name\".");
        }
        string cfgPath = Path.Combine(full, ConfigFileName);
        string weightsPath = Path.Combine(full, WeightsFileName);
        if (!File.Exists(cfgPath) && File.Exists(Path.Combine(full, GemmaScopeFileName)))
            return LoadGemmaScope(Path.Combine(full, GemmaScopeFileName), hookName, hookNameOut, device, dtype);
        if (!File.Exists(cfgPath))
            throw new FileNotFoundException($"'{full}' has no {ConfigFileName}: an SAE folder in the SAELens layout holds {ConfigFileName} and {WeightsFileName}; one in Gemma Scope's holds {GemmaScopeFileName}.", cfgPath);
        if (!File.Exists(weightsPath))
            throw new FileNotFoundException($"'{full}' has no {WeightsFileName}: an SAE folder in the SAELens layout holds {ConfigFileName} and {WeightsFileName}.", weightsPath);
        var config = ParseConfig(cfgPath);

        using var file = SafeTensorsFile.Open(weightsPath);
        using var scope = NewDisposeScope();
        var names = new List<string> { "W_enc", "b_enc", "W_dec", "b_dec" };
        if (config.Architecture == SaeArchitecture.JumpRelu) names.Add("threshold");
        if (config.HasSkip) names.Add("W_skip");
        var weights = new Dictionary<string, Tensor>();
        foreach (var name in names)
        {
            if (!file.Contains(name))
                throw new InvalidDataException(
                    $"{weightsPath}: the tensor '{name}' is missing (it holds {string.Join(", ", file.Tensors.Keys.Select(k => $"'{k}'"))}). " +
                    $"A {ArchitectureName(config.Architecture)} SAE needs {string.Join(", ", names)}.");
            var loaded = file.Load(name, dtype, device);
            weights[name] = name switch
            {
                "W_enc" => Check(weightsPath, name, loaded, config.DIn, config.DSae),
                "W_dec" => Check(weightsPath, name, loaded, config.DSae, config.OutputWidth),
                "b_dec" => Check(weightsPath, name, loaded, config.OutputWidth),
                "W_skip" => Check(weightsPath, name, loaded, config.DIn, config.OutputWidth),
                _ => Check(weightsPath, name, loaded, config.DSae),
            };
        }
        return Build(config, weights, copy: false);
    }

    /// <summary>Saves the SAE in the SAELens layout (<c>cfg.json</c> and <c>sae_weights.safetensors</c>) into <paramref name="folder"/>.</summary>
    public void Save(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Directory.CreateDirectory(folder);
        var tensors = new Dictionary<string, Tensor> { ["W_enc"] = W_enc, ["b_enc"] = b_enc, ["W_dec"] = W_dec, ["b_dec"] = b_dec };
        if (threshold is not null) tensors["threshold"] = threshold;
        if (W_skip is not null) tensors["W_skip"] = W_skip;
        SafeTensorsWriter.Save(Path.Combine(folder, WeightsFileName), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        var cfg = new JsonObject
        {
            ["architecture"] = ArchitectureName(Config.Architecture),
            ["d_in"] = Config.DIn,
            ["d_sae"] = Config.DSae,
            ["hook_name"] = Config.HookName,
            ["hook_layer"] = InterpKernel.HookNames.LayerOf(Config.HookName),
            ["apply_b_dec_to_input"] = Config.ApplyBDecToInput,
            ["dtype"] = W_enc.dtype switch { ScalarType.Float16 => "float16", ScalarType.BFloat16 => "bfloat16", ScalarType.Float64 => "float64", _ => "float32" },
            ["device"] = "cpu",
            ["normalize_activations"] = "none",
            ["model_name"] = Config.ModelName,
        };
        if (Config.K is { } k) cfg["k"] = k;
        if (Config.HookNameOut is { } output)
        {
            cfg["hook_name_out"] = output;
            cfg["hook_layer_out"] = InterpKernel.HookNames.LayerOf(output);
            if (Config.DOut is { } dOut) cfg["d_out"] = dOut;
            cfg["has_skip"] = Config.HasSkip;
        }
        File.WriteAllText(Path.Combine(folder, ConfigFileName), cfg.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    static string ArchitectureName(SaeArchitecture a) => a switch
    {
        SaeArchitecture.TopK => "topk",
        SaeArchitecture.JumpRelu => "jumprelu",
        _ => "standard",
    };

    static SaeConfig ParseConfig(string path)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new InvalidDataException($"{path}: the config is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the config is not valid JSON ({e.Message}).", e);
        }
        int Int(string key)
        {
            var node = root[key] ?? throw new InvalidDataException($"{path}: the config lacks '{key}', which every SAE config needs.");
            try { return node.GetValue<int>(); }
            catch (Exception e) when (e is FormatException or InvalidOperationException)
            {
                throw new InvalidDataException($"{path}: '{key}' must be a whole number, but is {node.ToJsonString()}.", e);
            }
        }
        string archName = root["architecture"]?.GetValue<string>() ?? "standard";
        var arch = archName switch
        {
            "standard" or "relu" => SaeArchitecture.Standard,
            "topk" or "top_k" => SaeArchitecture.TopK,
            "jumprelu" or "jump_relu" => SaeArchitecture.JumpRelu,
            _ => throw new InvalidDataException($"{path}: architecture '{archName}' is not supported; supported are standard, topk and jumprelu."),
        };
        string hook = root["hook_name"]?.GetValue<string>() ?? root["hook_point"]?.GetValue<string>()
            ?? throw new InvalidDataException($"{path}: the config lacks 'hook_name' (or the older 'hook_point'): it must say which model hook the SAE reads.");
        string? normalize = root["normalize_activations"]?.GetValue<string>();
        if (normalize is not (null or "none"))
            throw new InvalidDataException($"{path}: normalize_activations '{normalize}' is not supported; only SAEs trained without input normalisation ('none') load.");
        int? k = null;
        var kNode = root["k"] ?? root["activation_fn_kwargs"]?["k"];
        if (kNode is not null) k = (int)Math.Round(kNode.GetValue<double>(), MidpointRounding.AwayFromZero);
        var config = new SaeConfig(arch, Int("d_in"), Int("d_sae"), hook)
        {
            K = k,
            ApplyBDecToInput = root["apply_b_dec_to_input"]?.GetValue<bool>() ?? true,
            ModelName = root["model_name"]?.GetValue<string>(),
            HookNameOut = root["hook_name_out"]?.GetValue<string>(),
            DOut = root["d_out"] is null ? null : Int("d_out"),
            HasSkip = root["has_skip"]?.GetValue<bool>() ?? false,
        };
        try
        {
            return config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}
