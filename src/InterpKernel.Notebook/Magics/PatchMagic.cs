using System.CommandLine;
using InterpKernel.Analysis;
using InterpKernel.Notebook.Hosting;
using TorchSharp;

namespace InterpKernel.Notebook.Magics;

/// <summary>
/// <c>#!patch --clean "..." --corrupt "..." --answer " A" --wrong " B" [--over resid_pre|attn_out|mlp_out|heads]</c>:
/// activation patching with <see cref="ActivationPatching.Sweep"/> and the logit difference normalised to 0 on the
/// corrupted prompt and 1 on the clean one (<see cref="Metrics.NormalizedLogitDiff"/>); binds <c>patching</c> (a
/// <see cref="PatchingResult"/>) and shows it exactly as <c>display(patching)</c> does.
/// </summary>
public static class PatchMagic
{
    private const string Name = "patch";

    private static readonly Option<string> Clean = new("--clean")
    {
        Description = "The clean prompt, whose activations are patched in.",
        Required = true,
    };

    private static readonly Option<string> Corrupt = new("--corrupt")
    {
        Description = "The corrupted prompt, run with one clean activation at a time; as many tokens as the clean one.",
        Required = true,
    };

    private static readonly Option<string> Answer = new("--answer")
    {
        Description = "The token the clean prompt predicts, such as \" Isaac\".",
        Required = true,
    };

    private static readonly Option<string> Wrong = new("--wrong")
    {
        Description = "The token the corrupted prompt predicts, such as \" Jacob\".",
        Required = true,
    };

    private static readonly Option<string> Over = new("--over")
    {
        Description = "What to patch: the residual stream, attention or MLP outputs by layer and position, or heads by layer.",
        DefaultValueFactory = _ => "resid_pre",
    };

    static PatchMagic()
    {
        Over.AcceptOnlyFromAmong("resid_pre", "attn_out", "mlp_out", "heads");
    }

    /// <summary>The parsed arguments of one <c>#!patch</c> line.</summary>
    /// <param name="Clean">The clean prompt.</param>
    /// <param name="Corrupt">The corrupted prompt.</param>
    /// <param name="Answer">The clean answer token's text.</param>
    /// <param name="Wrong">The corrupted answer token's text.</param>
    /// <param name="Target">What to patch.</param>
    internal sealed record Arguments(string Clean, string Corrupt, string Answer, string Wrong, PatchTarget Target);

    /// <summary>The magic command registration.</summary>
    public static MagicCommand Create() => new(
        Name,
        "Activation patching from a clean into a corrupted prompt, as a heatmap.",
        () => new Command(Name, "Patches clean activations into the corrupted run one at a time and shows the normalised logit difference.")
        {
            Clean, Corrupt, Answer, Wrong, Over,
        },
        Run);

    internal static Arguments Parse(ParseResult parse) => new(
        parse.GetValue(Clean)!,
        parse.GetValue(Corrupt)!,
        parse.GetValue(Answer)!,
        parse.GetValue(Wrong)!,
        parse.GetValue(Over) switch
        {
            "attn_out" => PatchTarget.AttnOut,
            "mlp_out" => PatchTarget.MlpOut,
            "heads" => PatchTarget.HeadOut,
            _ => PatchTarget.ResidPre,
        });

    private static Task Run(ParseResult parse, IKernelHost host, CancellationToken cancellationToken)
    {
        var args = Parse(parse);
        var model = MagicSession.Of(host).RequireModel(host, Name);
        return MagicErrors.Guard(host, Name, () =>
        {
            using var scope = torch.NewDisposeScope();
            var good = model.ToSingleToken(args.Answer);
            var bad = model.ToSingleToken(args.Wrong);
            var clean = MagicPrompt.Tokens(host, Name, model, args.Clean);
            var corrupt = MagicPrompt.Tokens(host, Name, model, args.Corrupt);
            if (clean.shape[1] != corrupt.shape[1])
            {
                throw MagicErrors.Usage(host, Name,
                    $"the clean prompt has {clean.shape[1]} tokens but the corrupted one has {corrupt.shape[1]}: patching needs prompts of equal length.");
            }

            var metric = Metrics.NormalizedLogitDiff(model, clean, corrupt, good, bad);
            var options = new PatchingOptions { MetricName = $"normalised logit diff ({args.Answer} − {args.Wrong})" };
            var result = ActivationPatching.Sweep(model, clean, corrupt, metric, args.Target, options);
            result.Values.DetachFromDisposeScope();
            host.SetVariable("patching", result);
            host.Display(result);
        });
    }
}
