using System.CommandLine;
using System.Text.RegularExpressions;
using InterpKernel.Notebook.Hosting;
using InterpKernel.Notebook.Views;
using Microsoft.Data.Analysis;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Magics;

/// <summary>
/// <c>#!model load &lt;id-or-path&gt; [--device cpu|cuda] [--dtype float32|float16|bfloat16] [--name model] [--no-process]</c>
/// loads a checkpoint with <see cref="HookedTransformer.FromPretrained(string, LoadOptions)"/>, binds it to a variable
/// and makes it the model the other magics use; <c>#!model info</c> shows its configuration.
/// </summary>
public static partial class ModelMagic
{
    private const string Name = "model";

    private static readonly Argument<string> Action = new("action")
    {
        Description = "load: load a checkpoint; info: show the current model's configuration and hook count.",
    };

    private static readonly Argument<string?> Source = new("id-or-path")
    {
        Description = "A model folder (config.json + safetensors), an embedded model name such as kjv-gpt2-2l, or a Hugging Face model id.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<string> Device = new("--device")
    {
        Description = "Where the model runs: cpu, cuda or cuda:N.",
        DefaultValueFactory = _ => "cpu",
    };

    private static readonly Option<string> DType = new("--dtype")
    {
        Description = "The dtype the model runs in.",
        DefaultValueFactory = _ => "float32",
    };

    private static readonly Option<string> VariableName = new("--name")
    {
        Description = "The variable the model is bound to.",
        DefaultValueFactory = _ => "model",
    };

    private static readonly Option<bool> NoProcess = new("--no-process")
    {
        Description = "Keep the checkpoint's weights as stored (no norm folding or centering), so activations match Hugging Face's.",
    };

    static ModelMagic()
    {
        Action.AcceptOnlyFromAmong("load", "info");
        DType.AcceptOnlyFromAmong("float32", "float16", "bfloat16");
    }

    /// <summary>The parsed arguments of one <c>#!model</c> line.</summary>
    /// <param name="Action"><c>load</c> or <c>info</c>.</param>
    /// <param name="Source">The folder, embedded name or Hub id to load.</param>
    /// <param name="Device">The device to load onto.</param>
    /// <param name="Dtype">The dtype to run in.</param>
    /// <param name="VariableName">The variable to bind.</param>
    /// <param name="ProcessWeights">Whether to process the weights as TransformerLens does.</param>
    internal sealed record Arguments(string Action, string? Source, string Device, ScalarType Dtype, string VariableName, bool ProcessWeights);

    /// <summary>The magic command registration.</summary>
    public static MagicCommand Create() => new(
        Name,
        "Loads a model (#!model load <id-or-path>) or shows the current one (#!model info).",
        () => new Command(Name, "Loads a model and binds it to a variable, or shows the current model's configuration.")
        {
            Action, Source, Device, DType, VariableName, NoProcess,
        },
        Run);

    internal static Arguments Parse(ParseResult parse, IKernelHost host)
    {
        var action = parse.GetValue(Action)!;
        var source = parse.GetValue(Source);
        var device = parse.GetValue(Device)!;
        var variable = parse.GetValue(VariableName)!;
        if (action == "load" && string.IsNullOrWhiteSpace(source))
        {
            throw MagicErrors.Usage(host, Name, "load needs a model folder, embedded model name or Hugging Face id, for example #!model load models/kjv-gpt2-2l");
        }

        if (action == "info" && source is not null)
        {
            throw MagicErrors.Usage(host, Name, $"info takes no model name (got '{source}'): it describes the current model.");
        }

        if (!DeviceSyntax().IsMatch(device))
        {
            throw MagicErrors.Usage(host, Name, $"'{device}' is not a device: use cpu, cuda or cuda:N.");
        }

        if (!MagicNames.IsIdentifier(variable))
        {
            throw MagicErrors.Usage(host, Name, $"'{variable}' is not a valid C# variable name: use letters, digits and underscores, not starting with a digit.");
        }

        var dtype = parse.GetValue(DType) switch
        {
            "float16" => ScalarType.Float16,
            "bfloat16" => ScalarType.BFloat16,
            _ => ScalarType.Float32,
        };
        return new Arguments(action, source, device, dtype, variable, !parse.GetValue(NoProcess));
    }

    private static Task Run(ParseResult parse, IKernelHost host, CancellationToken cancellationToken)
    {
        var args = Parse(parse, host);
        return MagicErrors.Guard(host, Name, () =>
        {
            if (args.Action == "load") Load(args, host);
            else Info(host);
        });
    }

    private static void Load(Arguments args, IKernelHost host)
    {
        var options = new LoadOptions { Device = args.Device, Dtype = args.Dtype, ProcessWeights = args.ProcessWeights };
        MagicSession.CheckLocalSource(args.Source!);
        var model = HookedTransformer.FromPretrained(args.Source!, options);
        host.SetVariable(args.VariableName, model);
        MagicSession.Of(host).UseModel(model, args.VariableName);
        var c = model.Config;
        host.Out.WriteLine(
            $"Loaded {args.Source} as '{args.VariableName}': {c.ModelType}, {c.NLayers} layers, {c.NHeads} heads, d_model {c.DModel}, " +
            $"d_vocab {c.DVocab}, n_ctx {c.NCtx}, on {model.Device.type} in {model.Dtype}, weights {(model.WeightsProcessed ? "processed" : "as stored")}.");
    }

    private static void Info(IKernelHost host)
    {
        var model = MagicSession.Of(host).RequireModel(host, Name);
        var c = model.Config;
        var parameters = model.parameters().Sum(p => p.numel());
        (string Property, string Value)[] rows =
        [
            ("model_type", c.ModelType), ("n_layers", $"{c.NLayers}"), ("n_heads", $"{c.NHeads}"),
            ("n_key_value_heads", $"{c.KeyValueHeads}"), ("d_model", $"{c.DModel}"), ("d_head", $"{c.DHead}"),
            ("d_mlp", $"{c.DMlp}"), ("d_vocab", $"{c.DVocab}"), ("n_ctx", $"{c.NCtx}"), ("activation", c.Activation),
            ("normalization", $"{c.Normalization}"), ("positional_embedding", $"{c.PositionalEmbedding}"),
            ("parallel_attn_mlp", $"{c.ParallelAttnMlp}"), ("gated_mlp", $"{c.GatedMlp}"), ("tied_embeddings", $"{c.TiedEmbeddings}"),
            ("parameters", $"{parameters:N0}"), ("device", $"{model.Device}"), ("dtype", $"{model.Dtype}"),
            ("weights_processed", $"{model.WeightsProcessed}"), ("tokenizer", model.Tokenizer?.ToString() ?? model.TokenizerProblem ?? "none"),
            ("source", model.SourceFolder ?? "random weights"), ("hook_points", $"{model.HookNames.Count}"),
        ];
        var frame = new DataFrame(
            new StringDataFrameColumn("property", rows.Select(r => r.Property)),
            new StringDataFrameColumn("value", rows.Select(r => r.Value)));
        host.Display(DataFrameView.From(frame, rows.Length));
    }

    [GeneratedRegex(@"^(cpu|cuda(:\d+)?)$")]
    private static partial Regex DeviceSyntax();
}
