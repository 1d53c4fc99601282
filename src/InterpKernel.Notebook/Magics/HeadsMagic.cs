using System.CommandLine;
using InterpKernel.Analysis;
using InterpKernel.Notebook.Hosting;
using InterpKernel.Notebook.Views;
using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Magics;

/// <summary>
/// <c>#!heads detect [--seq-len 20] [--batch 4] [--seed 0]</c>: previous-token, duplicate-token and induction scores of
/// every head (<see cref="HeadDetectors"/>) on repeated random token sequences, as three layer × head heatmaps; binds
/// <c>previousTokenScores</c>, <c>duplicateTokenScores</c> and <c>inductionScores</c> <c>[n_layers, n_heads]</c>.
/// </summary>
public static class HeadsMagic
{
    private const string Name = "heads";

    private static readonly Argument<string> Action = new("action")
    {
        Description = "detect: score every head as a previous-token, duplicate-token and induction head.",
    };

    private static readonly Option<int> SeqLen = new("--seq-len")
    {
        Description = "Length of the random sequence that is repeated once.",
        DefaultValueFactory = _ => 20,
    };

    private static readonly Option<int> Batch = new("--batch")
    {
        Description = "How many repeated sequences to average over.",
        DefaultValueFactory = _ => 4,
    };

    private static readonly Option<int> Seed = new("--seed")
    {
        Description = "Seed of the random sequences.",
        DefaultValueFactory = _ => 0,
    };

    static HeadsMagic()
    {
        Action.AcceptOnlyFromAmong("detect");
    }

    /// <summary>The parsed arguments of one <c>#!heads</c> line.</summary>
    /// <param name="SeqLen">Length of the repeated random sequence.</param>
    /// <param name="Batch">Number of sequences.</param>
    /// <param name="Seed">Random seed.</param>
    internal sealed record Arguments(int SeqLen, int Batch, int Seed);

    /// <summary>The magic command registration.</summary>
    public static MagicCommand Create() => new(
        Name,
        "Scores every head as a previous-token, duplicate-token and induction head (#!heads detect).",
        () => new Command(Name, "Detects previous-token, duplicate-token and induction heads on repeated random tokens.") { Action, SeqLen, Batch, Seed },
        Run);

    internal static Arguments Parse(ParseResult parse, IKernelHost host, HookedTransformer model)
    {
        var seqLen = parse.GetValue(SeqLen);
        var batch = parse.GetValue(Batch);
        if (seqLen < 2 || 2 * seqLen + 1 > model.Config.NCtx)
        {
            throw MagicErrors.Usage(host, Name,
                $"--seq-len {seqLen} does not fit: the sequence and its repeat plus BOS must fit the context of {model.Config.NCtx} tokens, so use 2 to {(model.Config.NCtx - 1) / 2}.");
        }

        if (batch < 1)
        {
            throw MagicErrors.Usage(host, Name, $"--batch must be at least 1, got {batch}.");
        }

        return new Arguments(seqLen, batch, parse.GetValue(Seed));
    }

    private static Task Run(ParseResult parse, IKernelHost host, CancellationToken cancellationToken)
    {
        var model = MagicSession.Of(host).RequireModel(host, Name);
        var args = Parse(parse, host, model);
        return MagicErrors.Guard(host, Name, () =>
        {
            using var scope = torch.NewDisposeScope();
            var tokens = RepeatedTokens.Generate(model, args.SeqLen, args.Batch, args.Seed);
            var scores = new (string Variable, string Title, Tensor Values)[]
            {
                ("previousTokenScores", "Previous-token score", HeadDetectors.PreviousToken(model, tokens)),
                ("duplicateTokenScores", "Duplicate-token score", HeadDetectors.DuplicateToken(model, tokens)),
                ("inductionScores", "Induction score", HeadDetectors.Induction(model, args.SeqLen, args.Batch, args.Seed)),
            };
            foreach (var (variable, title, values) in scores)
            {
                var best = values.argmax().item<long>();
                host.Out.WriteLine($"{title}: strongest head L{best / model.Config.NHeads}H{best % model.Config.NHeads} ({values.max().item<float>():F2}).");
                host.SetVariable(variable, values.DetachFromDisposeScope());
                host.Display(AnalysisViews.HeadScores(values, $"{title} ({args.Batch} × {args.SeqLen} repeated random tokens)", HeatmapScale.Unit));
            }
        });
    }
}
