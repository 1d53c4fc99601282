using System.CommandLine;
using InterpKernel.Analysis;
using InterpKernel.Notebook.Hosting;
using InterpKernel.Notebook.Views;
using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Magics;

/// <summary>
/// <c>#!logit-lens "&lt;prompt&gt;" [--answer " token"]</c>: the residual stream entering every layer, and the final
/// one, read through the final norm and the unembedding (<see cref="LogitLens.Logits"/>); shows the top token and its
/// probability per layer and position, and with <c>--answer</c> the answer's probability. Binds <c>lensLogits</c>
/// <c>[layer, pos, d_vocab]</c>.
/// </summary>
public static class LogitLensMagic
{
    private const string Name = "logit-lens";

    private static readonly Argument<string?> Prompt = new("prompt")
    {
        Description = "The text to read, in double quotes; the last #!run's prompt when omitted.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<string?> Answer = new("--answer")
    {
        Description = "A token whose probability to follow through the layers, such as \" Isaac\" (one token, leading space included).",
    };

    /// <summary>The parsed arguments of one <c>#!logit-lens</c> line.</summary>
    /// <param name="Prompt">The prompt, or null for the last <c>#!run</c>'s.</param>
    /// <param name="Answer">The answer token's text, or null.</param>
    internal sealed record Arguments(string? Prompt, string? Answer);

    /// <summary>The magic command registration.</summary>
    public static MagicCommand Create() => new(
        Name,
        "Shows the top token and its probability per layer and position (the logit lens).",
        () => new Command(Name, "The logit lens: the residual stream of every layer read through the final norm and the unembedding.") { Prompt, Answer },
        Run);

    internal static Arguments Parse(ParseResult parse, IKernelHost host)
    {
        var answer = parse.GetValue(Answer);
        if (answer is { Length: 0 })
        {
            throw MagicErrors.Usage(host, Name, "--answer is empty: give one token in double quotes, such as \" Isaac\".");
        }

        return new Arguments(parse.GetValue(Prompt), answer);
    }

    private static Task Run(ParseResult parse, IKernelHost host, CancellationToken cancellationToken)
    {
        var args = Parse(parse, host);
        var model = MagicSession.Of(host).RequireModel(host, Name);
        return MagicErrors.Guard(host, Name, () =>
        {
            using var scope = torch.NewDisposeScope();
            int? answer = args.Answer is null ? null : model.ToSingleToken(args.Answer);
            var tokens = MagicPrompt.Tokens(host, Name, model, args.Prompt);
            var strTokens = model.ToStrTokens(tokens);
            var lens = LensLogits(model, tokens); // [layer, pos, d_vocab]
            var labels = Enumerable.Range(0, model.Config.NLayers).Select(l => $"{l}_pre").Append("final_post").ToArray();
            host.SetVariable("lensLogits", lens.DetachFromDisposeScope());
            host.Display(LogitLensView.FromLogits(lens, strTokens, MagicPrompt.Decoder(model), labels) with { Title = "Logit lens" });
            if (answer is int id)
            {
                var probability = lens.to(ScalarType.Float32).softmax(-1).select(-1, id); // [layer, pos]
                host.Display(PatchingHeatmapView.FromTensor(probability, labels, PatchingHeatmapView.PositionLabels(strTokens), $"P({args.Answer}) by layer and position")
                    with { Scale = HeatmapScale.Unit, XTitle = "position", YTitle = "layer" });
            }
        });
    }

    // LogitLens.Logits needs every layer's resid_pre and the last resid_post: [layer, pos, d_vocab] for one prompt.
    private static Tensor LensLogits(HookedTransformer model, Tensor tokens)
    {
        using var noGrad = torch.no_grad();
        var layers = model.Config.NLayers;
        var names = Enumerable.Range(0, layers).Select(l => HookNames.Of("resid_pre", l))
            .Append(HookNames.Of("resid_post", layers - 1)).ToHashSet();
        var (logits, cache) = model.RunWithCache(tokens, names.Contains);
        using (cache)
        {
            logits.Dispose();
            return LogitLens.Logits(cache).select(1, 0);
        }
    }
}
