using System.CommandLine;
using InterpKernel.Notebook.Hosting;
using InterpKernel.Notebook.Views;
using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Magics;

/// <summary>
/// <c>#!attention [--layer L] [--heads 0,3] ["&lt;prompt&gt;"]</c>: the attention patterns of one layer's heads over a
/// prompt (the last <c>#!run</c>'s by default); binds <c>pattern</c> <c>[head_index, query_pos, key_pos]</c>.
/// </summary>
public static class AttentionMagic
{
    private const string Name = "attention";

    private static readonly Argument<string?> Prompt = new("prompt")
    {
        Description = "The text to look at, in double quotes; the last #!run's prompt when omitted.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<int> Layer = new("--layer")
    {
        Description = "The layer whose heads to show.",
        DefaultValueFactory = _ => 0,
    };

    private static readonly Option<string?> Heads = new("--heads")
    {
        Description = "Comma-separated head indices, such as 0,3; all heads when omitted.",
    };

    /// <summary>The parsed arguments of one <c>#!attention</c> line.</summary>
    /// <param name="Prompt">The prompt, or null for the last <c>#!run</c>'s.</param>
    /// <param name="Layer">The layer.</param>
    /// <param name="Heads">The heads to show, or null for all.</param>
    internal sealed record Arguments(string? Prompt, int Layer, int[]? Heads);

    /// <summary>The magic command registration.</summary>
    public static MagicCommand Create() => new(
        Name,
        "Shows the attention patterns of one layer's heads over a prompt.",
        () => new Command(Name, "Shows the attention patterns of one layer's heads; the prompt defaults to the last #!run's.") { Prompt, Layer, Heads },
        Run);

    internal static Arguments Parse(ParseResult parse, IKernelHost host, HookedTransformer model)
    {
        var layer = parse.GetValue(Layer);
        MagicErrors.RequireLayer(host, Name, model, layer);
        int[]? heads = null;
        if (parse.GetValue(Heads) is { } list)
        {
            heads = MagicLists.Integers(host, Name, "--heads", list);
            var bad = heads.Where(h => h < 0 || h >= model.Config.NHeads).ToArray();
            if (bad.Length > 0)
            {
                throw MagicErrors.Usage(host, Name,
                    $"head {string.Join(", ", bad)} does not exist: layer {layer} has {model.Config.NHeads} heads (0 to {model.Config.NHeads - 1}).");
            }
        }

        return new Arguments(parse.GetValue(Prompt), layer, heads);
    }

    private static Task Run(ParseResult parse, IKernelHost host, CancellationToken cancellationToken)
    {
        var model = MagicSession.Of(host).RequireModel(host, Name);
        var args = Parse(parse, host, model);
        return MagicErrors.Guard(host, Name, () =>
        {
            using var scope = torch.NewDisposeScope();
            var tokens = MagicPrompt.Tokens(host, Name, model, args.Prompt);
            var hook = HookNames.Of("pattern", args.Layer);
            var (logits, cache) = model.RunWithCache(tokens, n => n == hook);
            using (cache)
            {
                logits.Dispose();
                var pattern = cache[hook][0]; // [head_index, query_pos, key_pos]
                var heads = args.Heads ?? Enumerable.Range(0, model.Config.NHeads).ToArray();
                var selected = pattern.index_select(0, torch.tensor(heads.Select(h => (long)h).ToArray(), device: pattern.device))
                    .to(ScalarType.Float32).cpu().contiguous();
                var weights = selected.data<float>().ToArray();
                var strTokens = model.ToStrTokens(tokens);
                var labels = heads.Select(h => $"L{args.Layer}H{h}").ToArray();
                host.SetVariable("pattern", selected.clone().DetachFromDisposeScope());
                host.Display(new AttentionPatternView(strTokens, weights, heads.Length, labels) { Title = $"Layer {args.Layer} attention" });
            }
        });
    }
}
