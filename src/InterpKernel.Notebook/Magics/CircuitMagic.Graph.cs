using System.CommandLine;
using InterpKernel.Analysis;
using InterpKernel.Notebook.Hosting;
using InterpKernel.Notebook.Views;
using TorchSharp;

namespace InterpKernel.Notebook.Magics;

/// <summary>
/// <c>#!circuit graph "&lt;prompt&gt;" --transcoders &lt;variable&gt; [--node-threshold 0.8] [--edge-threshold 0.98]
/// [--max-nodes 120] [--max-edges 400]</c>: computes the <see cref="AttributionGraph"/> of the prompt over the
/// <see cref="TranscoderSet"/> the variable holds, prunes it, shows it as an <see cref="AttributionGraphView"/> and
/// binds <c>graph</c> and <c>pruning</c>.
/// </summary>
public static partial class CircuitMagic
{
    private const string GraphName = "graph";

    private static readonly Argument<string> GraphPrompt = new("prompt")
    {
        Description = "The prompt to trace, in double quotes.",
    };

    private static readonly Option<string> Transcoders = new("--transcoders")
    {
        Description = "The variable that holds the TranscoderSet (one transcoder per layer) whose features the graph is made of.",
        Required = true,
    };

    private static readonly Option<double> NodeThreshold = new("--node-threshold")
    {
        Description = "Keep the most influential nodes that together hold this fraction of the influence on the logits.",
        DefaultValueFactory = _ => 0.8,
    };

    private static readonly Option<double> EdgeThreshold = new("--edge-threshold")
    {
        Description = "Among kept nodes, keep the edges that hold this fraction of the edge influence.",
        DefaultValueFactory = _ => 0.98,
    };

    private static readonly Option<int> MaxNodes = new("--max-nodes")
    {
        Description = "The most nodes kept (embeddings and logits count, and are always kept).",
        DefaultValueFactory = _ => 120,
    };

    private static readonly Option<int> MaxEdges = new("--max-edges")
    {
        Description = "The most edges kept, most influential first.",
        DefaultValueFactory = _ => 400,
    };

    /// <summary>The parsed arguments of one <c>#!circuit graph</c> line.</summary>
    /// <param name="Prompt">The prompt to trace.</param>
    /// <param name="Transcoders">The variable holding the transcoders.</param>
    /// <param name="NodeThreshold">Fraction of influence the kept nodes hold.</param>
    /// <param name="EdgeThreshold">Fraction of edge influence the kept edges hold.</param>
    /// <param name="MaxNodes">Node budget.</param>
    /// <param name="MaxEdges">Edge budget.</param>
    internal sealed record GraphArguments(string Prompt, string Transcoders, double NodeThreshold, double EdgeThreshold, int MaxNodes, int MaxEdges);

    private static Command CreateGraphCommand() => new(GraphName, "Traces the attribution graph of a prompt over transcoder features, prunes it and draws it.")
    {
        GraphPrompt, Transcoders, NodeThreshold, EdgeThreshold, MaxNodes, MaxEdges,
    };

    internal static GraphArguments ParseGraph(ParseResult parse, IKernelHost host)
    {
        var prompt = parse.GetValue(GraphPrompt) ?? "";
        if (string.IsNullOrWhiteSpace(prompt)) throw MagicErrors.Usage(host, Name, "#!circuit graph needs a prompt in double quotes.");
        double nodes = parse.GetValue(NodeThreshold), edges = parse.GetValue(EdgeThreshold);
        if (nodes is not (>= 0 and <= 1)) throw MagicErrors.Usage(host, Name, $"--node-threshold must be a fraction in [0, 1], got {nodes}.");
        if (edges is not (>= 0 and <= 1)) throw MagicErrors.Usage(host, Name, $"--edge-threshold must be a fraction in [0, 1], got {edges}.");
        int maxNodes = parse.GetValue(MaxNodes), maxEdges = parse.GetValue(MaxEdges);
        if (maxNodes < 1) throw MagicErrors.Usage(host, Name, $"--max-nodes must be at least 1, got {maxNodes}.");
        if (maxEdges < 1) throw MagicErrors.Usage(host, Name, $"--max-edges must be at least 1, got {maxEdges}.");
        return new GraphArguments(prompt, parse.GetValue(Transcoders)!, nodes, edges, maxNodes, maxEdges);
    }

    /// <summary>The transcoders <paramref name="variable"/> holds; the error lists the variables that hold some.</summary>
    private static TranscoderSet RequireTranscoders(IKernelHost host, string variable)
    {
        if (host.TryGetVariable(variable, out var value) && value is TranscoderSet set) return set;
        var holders = host.Variables().Where(v => v.Value is TranscoderSet).Select(v => v.Key).ToList();
        throw new MagicCommandException(
            $"{MagicDispatcher.Prefix}{Name} {GraphName} --transcoders {variable}: no variable '{variable}' holds a TranscoderSet. " +
            (holders.Count == 0
                ? "Make one from one transcoder per layer first, for example: var transcoders = new TranscoderSet(saes);"
                : $"Variables holding one: {string.Join(", ", holders)}."));
    }

    private static Task RunGraph(ParseResult parse, IKernelHost host)
    {
        var model = MagicSession.Of(host).RequireModel(host, Name);
        var args = ParseGraph(parse, host);
        var transcoders = RequireTranscoders(host, args.Transcoders);
        return MagicErrors.Guard(host, Name, () =>
        {
            if (transcoders.Count != model.Config.NLayers)
                throw new ArgumentException($"--transcoders {args.Transcoders} holds {transcoders.Count} transcoders but the model has {model.Config.NLayers} layers: give one per layer.");
            using var scope = torch.NewDisposeScope();
            using var tokens = model.ToTokens(args.Prompt);
            var graph = AttributionGraph.Compute(model, transcoders, tokens);
            int alwaysKept = graph.EmbeddingCount + graph.LogitCount;
            var pruning = graph.Prune(args.NodeThreshold, args.EdgeThreshold, Math.Max(args.MaxNodes, alwaysKept), args.MaxEdges);
            host.Out.WriteLine($"{graph}; kept {pruning.NodeCount} nodes and {pruning.EdgeCount} edges.");
            host.SetVariable("graph", graph);
            host.SetVariable("pruning", pruning);
            host.Display(new AttributionGraphView(graph, pruning));
        });
    }
}
