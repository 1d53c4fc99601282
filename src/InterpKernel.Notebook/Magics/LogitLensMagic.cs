using System.CommandLine;
using InterpKernel.Analysis;
using InterpKernel.Notebook.Hosting;
using TorchSharp;

namespace InterpKernel.Notebook.Magics;

/// <summary>
/// <c>#!logit-lens "&lt;prompt&gt;" [--answer " token"]</c>: the residual stream entering every layer, and the final
/// one, read through the final norm and the unembedding (<see cref="LogitLens.Run(HookedTransformer, TorchSharp.torch.Tensor, int, int)"/>); shows the top token and its
/// probability per layer and position, and the probability and rank of the answer (the model's own prediction at the
/// last position when <c>--answer</c> is not given). Binds <c>lens</c> (a <see cref="LogitLensResult"/>), shown
/// exactly as <c>display(lens)</c> shows it.
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
            int? answer = args.Answer is null ? null : model.ToSingleToken(args.Answer);
            // No dispose scope here: the result owns its tensors and outlives the cell as the variable 'lens'.
            using var tokens = MagicPrompt.Tokens(host, Name, model, args.Prompt);
            var lens = answer is int id ? LogitLens.Run(model, tokens, id) : LogitLens.RunOnPrediction(model, tokens);
            host.SetVariable("lens", lens);
            host.Display(lens);
        });
    }
}
