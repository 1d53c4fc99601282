using System.CommandLine;
using InterpKernel.Analysis;
using InterpKernel.Notebook.Hosting;
using InterpKernel.Notebook.Views;
using Microsoft.Data.Analysis;
using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Magics;

/// <summary>
/// <c>#!neurons --layer L [--top 10] [--examples 3] --prompts file.txt</c>: the MLP neurons of a layer that fire
/// hardest on a file of prompts (one per line), each with its statistics and strongest examples from
/// <see cref="ActivationScan"/>, as a table; binds <c>neuronScans</c> (one <see cref="ActivationScanResult"/> per neuron).
/// </summary>
public static class NeuronsMagic
{
    private const string Name = "neurons";

    private static readonly Option<int?> Layer = new("--layer")
    {
        Description = "The layer whose MLP neurons (mlp.hook_post) to rank.",
        Required = true,
    };

    private static readonly Option<int> Top = new("--top")
    {
        Description = "How many neurons to show, strongest first.",
        DefaultValueFactory = _ => 10,
    };

    private static readonly Option<int> Examples = new("--examples")
    {
        Description = "How many top activating examples to keep per neuron.",
        DefaultValueFactory = _ => 3,
    };

    private static readonly Option<string> Prompts = new("--prompts")
    {
        Description = "A text file with one prompt per line.",
        Required = true,
    };

    /// <summary>The parsed arguments of one <c>#!neurons</c> line.</summary>
    /// <param name="Layer">The layer.</param>
    /// <param name="Top">How many neurons to show.</param>
    /// <param name="Examples">Examples per neuron.</param>
    /// <param name="Prompts">The prompts, one per non-empty line of the file.</param>
    /// <param name="File">The prompts file, for messages.</param>
    internal sealed record Arguments(int Layer, int Top, int Examples, string[] Prompts, string File);

    /// <summary>The magic command registration.</summary>
    public static MagicCommand Create() => new(
        Name,
        "Ranks a layer's MLP neurons by their strongest activation on a prompts file, with top examples.",
        () => new Command(Name, "The top activating MLP neurons of a layer over a file of prompts, with their strongest examples.") { Layer, Top, Examples, Prompts },
        Run);

    internal static Arguments Parse(ParseResult parse, IKernelHost host, HookedTransformer model)
    {
        var layer = parse.GetValue(Layer)!.Value;
        MagicErrors.RequireLayer(host, Name, model, layer);
        var top = parse.GetValue(Top);
        if (top < 1 || top > model.Config.DMlp)
        {
            throw MagicErrors.Usage(host, Name, $"--top must be between 1 and the layer's {model.Config.DMlp} neurons, got {top}.");
        }

        var examples = parse.GetValue(Examples);
        if (examples < 1)
        {
            throw MagicErrors.Usage(host, Name, $"--examples must be at least 1, got {examples}.");
        }

        var file = parse.GetValue(Prompts)!;
        if (!File.Exists(file))
        {
            throw MagicErrors.Usage(host, Name, $"the prompts file '{file}' does not exist (looked in {Path.GetFullPath(file)}): give a text file with one prompt per line.");
        }

        var prompts = File.ReadLines(file).Where(l => !string.IsNullOrWhiteSpace(l)).ToArray();
        if (prompts.Length == 0)
        {
            throw MagicErrors.Usage(host, Name, $"the prompts file '{file}' has no prompts: write one prompt per line.");
        }

        return new Arguments(layer, top, examples, prompts, file);
    }

    private static Task Run(ParseResult parse, IKernelHost host, CancellationToken cancellationToken)
    {
        var model = MagicSession.Of(host).RequireModel(host, Name);
        var args = Parse(parse, host, model);
        return MagicErrors.Guard(host, Name, () =>
        {
            var source = TokenSource.FromPrompts(model, args.Prompts);
            var peaks = NeuronPeaks.Of(model, args.Layer, source, cancellationToken: cancellationToken);
            var ranked = Enumerable.Range(0, peaks.Length).OrderByDescending(n => peaks[n]).Take(args.Top).ToArray();
            var options = new ScanOptions { TopK = args.Examples, Window = 8 };
            var scans = ranked.Select(n =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                return ActivationScan.Run(model, ActivationSite.Neuron(args.Layer, n), source, options);
            }).ToArray();
            host.SetVariable("neuronScans", scans);
            var frame = new DataFrame(
                new Int32DataFrameColumn("neuron", ranked.Select(n => (int?)n)),
                new SingleDataFrameColumn("max", scans.Select(s => (float?)s.Statistics.Max)),
                new SingleDataFrameColumn("mean", scans.Select(s => (float?)s.Statistics.Mean)),
                new SingleDataFrameColumn("frac > 0", scans.Select(s => (float?)s.Statistics.FractionActive)),
                new StringDataFrameColumn("top tokens", scans.Select(s => string.Join(" | ", s.TopExamples.Select(e => e.Token)))),
                new StringDataFrameColumn("strongest example", scans.Select(s => s.TopExamples.Count == 0 ? "" : s.TopExamples[0].Marked)));
            host.Out.WriteLine($"Layer {args.Layer}: the {ranked.Length} neurons with the largest activation over {args.Prompts.Length} prompts from {args.File}.");
            host.Display(DataFrameView.From(frame, ranked.Length));
        });
    }
}
