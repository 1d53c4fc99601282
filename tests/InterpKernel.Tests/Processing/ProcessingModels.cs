using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using InterpKernel.Loading;
using InterpKernel.Tests.Loading;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Processing;

/// <summary>The checkpoints the processing tests load, prompts for them, and copies to edit.</summary>
internal static class ProcessingModels
{
    public const string Kjv = "kjv-gpt2-2l";

    static readonly ConcurrentDictionary<string, Lazy<string>> Perturbed = new(StringComparer.Ordinal);

    /// <summary>
    /// The folder of an embedded model, or for a tiny fixture (<c>tiny-llama</c>, ...) a copy whose norm weights and
    /// biases are random (see <see cref="PerturbedCopy"/>).
    /// </summary>
    public static string Folder(string name) =>
        name.StartsWith("tiny-", StringComparison.Ordinal)
            ? Perturbed.GetOrAdd(name, n => new Lazy<string>(() => PerturbedCopy(n))).Value
            : TestPaths.Models(name);

    /// <summary>
    /// The tiny fixtures come from a fresh initialisation: norm scales 1, biases 0, so folding them would prove
    /// nothing. This copy draws every 1-D tensor at random (scales around 1, biases around 0) with a fixed seed.
    /// Written once per test run next to the test binaries.
    /// </summary>
    static string PerturbedCopy(string name)
    {
        string source = TestPaths.Fixture($"hf-reference/{name}");
        string target = Path.Combine(AppContext.BaseDirectory, "Generated", "perturbed-" + name);
        Directory.CreateDirectory(target);
        File.Copy(Path.Combine(source, "config.json"), Path.Combine(target, "config.json"), overwrite: true);
        using var scope = NewDisposeScope();
        using var file = SafeTensorsFile.Open(Path.Combine(source, "model.safetensors"));
        var generator = new Generator(1234);
        var tensors = new SortedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var tensorName in file.Tensors.Keys.Order(StringComparer.Ordinal))
        {
            var t = file.Load(tensorName);
            if (t.dim() == 1)
            {
                var noise = randn(t.shape, t.dtype, generator: generator) * 0.3;
                t = tensorName.EndsWith("norm.weight", StringComparison.Ordinal) ? noise + 1 : noise;
            }
            tensors[tensorName] = t;
        }
        SafeTensorsWriter.Save(Path.Combine(target, "model.safetensors"), tensors);
        return target;
    }

    /// <summary>A short prompt: text where the model has a tokenizer, fixed ids where it has none.</summary>
    public static Tensor Prompt(HookedTransformer model) => model.Tokenizer is not null
        ? model.ToTokens("In the beginning God created the heaven and the earth.")
        : tensor(new long[] { 1, 17, 300, 42, 511, 5, 99, 256, 3, 128 }, ScalarType.Int64).unsqueeze(0);

    /// <summary>
    /// Copies a model folder's files into <paramref name="target"/>, leaving out <paramref name="skip"/>, and lets
    /// <paramref name="editConfig"/> change config.json.
    /// </summary>
    public static void Copy(string source, TempFolder target, Action<JsonObject>? editConfig = null, params string[] skip)
    {
        foreach (var file in Directory.EnumerateFiles(source))
        {
            string name = Path.GetFileName(file);
            if (skip.Contains(name)) continue;
            File.Copy(file, target.File(name));
        }
        if (editConfig is null) return;
        var config = JsonNode.Parse(File.ReadAllText(target.File("config.json")))!.AsObject();
        editConfig(config);
        File.WriteAllText(target.File("config.json"), config.ToJsonString());
    }

    /// <summary>The largest absolute difference between two tensors, in float64.</summary>
    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max().item<double>();
    }

    /// <summary>The largest absolute mean of <paramref name="t"/> along <paramref name="dim"/>.</summary>
    public static double MaxAbsMean(Tensor t, long dim)
    {
        using var scope = NewDisposeScope();
        return t.to(ScalarType.Float64).mean([dim]).abs().max().item<double>();
    }
}
