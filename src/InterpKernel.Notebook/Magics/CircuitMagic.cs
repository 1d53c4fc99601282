using System.CommandLine;
using InterpKernel.Analysis;
using InterpKernel.Notebook.Hosting;
using InterpKernel.Notebook.Views;
using TorchSharp;

namespace InterpKernel.Notebook.Magics;

/// <summary>
/// <c>#!circuit [--method eap|eap-ig|acdc] [--top 30] [--threshold 0.1] [--seq-len 20] [--batch 8] [--seed 0] [--one-sided] [--examples file]</c>:
/// finds the induction circuit of the current model on <see cref="InductionTask"/> prompts with
/// <see cref="CircuitDiscovery"/>, shows it as a <see cref="CircuitView"/> with its faithfulness and each node's top
/// examples (<see cref="CircuitNodeExamples"/>, from the text file or else from the clean prompts), and binds
/// <c>circuit</c> (a <see cref="CircuitGraph"/>) and <c>faithfulness</c>. <c>#!circuit graph "&lt;prompt&gt;" --transcoders
/// &lt;variable&gt;</c> traces an attribution graph of the prompt instead (see <c>CircuitMagic.Graph.cs</c>).
/// </summary>
public static partial class CircuitMagic
{
    private const string Name = "circuit";

    private static readonly Option<string> Method = new("--method")
    {
        Description = "eap or eap-ig (edge attribution, then the top edges), or acdc (real patching, pruned by --threshold).",
        DefaultValueFactory = _ => "eap-ig",
    };

    private static readonly Option<int> Top = new("--top")
    {
        Description = "With eap or eap-ig: how many edges of largest absolute score form the circuit.",
        DefaultValueFactory = _ => 30,
    };

    private static readonly Option<double> Threshold = new("--threshold")
    {
        Description = "With acdc: an edge stays out when removing it moves the metric by less than this fraction of the clean–corrupted difference.",
        DefaultValueFactory = _ => 0.01,
    };

    private static readonly Option<int> SeqLen = new("--seq-len")
    {
        Description = "Length of the random sequence that is repeated once.",
        DefaultValueFactory = _ => 20,
    };

    private static readonly Option<int> Batch = new("--batch")
    {
        Description = "How many prompt pairs to average over.",
        DefaultValueFactory = _ => 8,
    };

    private static readonly Option<int> Seed = new("--seed")
    {
        Description = "Seed of the random sequences.",
        DefaultValueFactory = _ => 0,
    };

    private static readonly Option<bool> OneSided = new("--one-sided")
    {
        Description = "With acdc: also leave out an edge whose removal raises the metric (the original ACDC's rule), for a smaller circuit of what helps.",
    };

    private static readonly Option<string?> ExamplesFile = new("--examples")
    {
        Description = "A text file in which to find each node's top examples (shown when a node is clicked); by default the clean prompts.",
    };

    /// <summary>The most tokens of an examples file that are read.</summary>
    internal const int ExampleTokens = 20_000;

    static CircuitMagic()
    {
        Method.AcceptOnlyFromAmong("eap", "eap-ig", "acdc");
    }

    /// <summary>The parsed arguments of one <c>#!circuit</c> line.</summary>
    /// <param name="Method">eap, eap-ig or acdc.</param>
    /// <param name="Top">Edges kept by the attribution methods.</param>
    /// <param name="Threshold">ACDC's threshold as a fraction of the clean–corrupted difference.</param>
    /// <param name="SeqLen">Length of the repeated random sequence.</param>
    /// <param name="Batch">Number of prompt pairs.</param>
    /// <param name="Seed">Random seed.</param>
    /// <param name="ExamplesFile">The text file searched for node examples, or null for the clean prompts.</param>
    /// <param name="OneSided">Whether ACDC also leaves out edges whose removal raises the metric.</param>
    internal sealed record Arguments(string Method, int Top, double Threshold, int SeqLen, int Batch, int Seed, string? ExamplesFile, bool OneSided);

    /// <summary>The magic command registration.</summary>
    public static MagicCommand Create() => new(
        Name,
        "Finds the induction circuit by edge attribution (EAP, EAP-IG) or ACDC and draws it; #!circuit graph traces a prompt's attribution graph.",
        () =>
        {
            var command = new Command(Name, "Finds the edges that carry induction on repeated random tokens and draws the circuit.")
            {
                Method, Top, Threshold, OneSided, SeqLen, Batch, Seed, ExamplesFile, CreateGraphCommand(),
            };
            // A command with a subcommand parses only with an action of its own; the dispatcher runs Run either way.
            command.SetAction(_ => 0);
            return command;
        },
        Run);

    internal static Arguments Parse(ParseResult parse, IKernelHost host, HookedTransformer model)
    {
        var seqLen = parse.GetValue(SeqLen);
        if (seqLen < 2 || 2 * seqLen + 1 > model.Config.NCtx)
        {
            throw MagicErrors.Usage(host, Name,
                $"--seq-len {seqLen} does not fit: the sequence and its repeat plus BOS must fit the context of {model.Config.NCtx} tokens, so use 2 to {(model.Config.NCtx - 1) / 2}.");
        }

        var batch = parse.GetValue(Batch);
        if (batch < 1) throw MagicErrors.Usage(host, Name, $"--batch must be at least 1, got {batch}.");
        var top = parse.GetValue(Top);
        if (top < 1) throw MagicErrors.Usage(host, Name, $"--top must be at least 1, got {top}.");
        var threshold = parse.GetValue(Threshold);
        if (!(threshold >= 0)) throw MagicErrors.Usage(host, Name, $"--threshold must be a fraction ≥ 0, got {threshold}.");
        var examples = parse.GetValue(ExamplesFile);
        if (examples is not null && !File.Exists(examples))
            throw MagicErrors.Usage(host, Name, $"the examples file '{examples}' does not exist (looked in {Path.GetFullPath(examples)}): give a text file.");
        return new Arguments(parse.GetValue(Method)!, top, threshold, seqLen, batch, parse.GetValue(Seed), examples, parse.GetValue(OneSided));
    }

    private static Task Run(ParseResult parse, IKernelHost host, CancellationToken cancellationToken)
    {
        if (parse.CommandResult.Command.Name == GraphName) return RunGraph(parse, host);
        var model = MagicSession.Of(host).RequireModel(host, Name);
        var args = Parse(parse, host, model);
        return MagicErrors.Guard(host, Name, () =>
        {
            using var scope = torch.NewDisposeScope();
            var (clean, corrupt) = InductionTask.Prompts(model, args.SeqLen, args.Batch, args.Seed);
            var metric = InductionTask.Metric(clean, args.SeqLen);
            CircuitGraph graph;
            if (args.Method == "acdc")
            {
                double span = Metrics.Evaluate(model, clean, metric) - Metrics.Evaluate(model, corrupt, metric);
                graph = CircuitDiscovery.Acdc(model, clean, corrupt, metric, args.Threshold * Math.Abs(span), oneSided: args.OneSided);
            }
            else
            {
                var method = args.Method == "eap" ? EdgeAttributionMethod.Eap : EdgeAttributionMethod.EapIg;
                graph = CircuitDiscovery.EdgeAttribution(model, clean, corrupt, metric, method).Top(Math.Min(args.Top, CircuitGraph.For(model).Edges.Count));
            }

            var faithfulness = CircuitEvaluation.Faithfulness(model, graph, clean, corrupt, metric);
            host.Out.WriteLine(faithfulness.ToString());
            host.SetVariable("circuit", graph);
            host.SetVariable("faithfulness", faithfulness);
            var source = args.ExamplesFile is { } file ? TokenSource.FromTextFile(model, file) : TokenSource.FromTokens(model, clean);
            var examples = CircuitNodeExamples.Collect(model, graph, source, maxTokens: ExampleTokens);
            host.Display(new CircuitView(graph, $"Induction circuit ({args.Method}): {graph.CircuitEdgeCount} of {graph.Edges.Count} edges, {faithfulness.Recovered:P0} recovered",
                examples: examples));
        });
    }
}
