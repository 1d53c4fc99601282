using static TorchSharp.torch;

namespace InterpKernel.Analysis;

public sealed partial class AttributionGraph
{
    /// <summary>
    /// The attribution graph of <paramref name="tokens"/> (<c>[pos]</c> or <c>[1, pos]</c>) with
    /// <paramref name="transcoders"/> in place of the MLPs of <paramref name="model"/>.
    /// </summary>
    /// <example>
    /// <code>
    /// var graph = AttributionGraph.Compute(model, transcoders, model.ToTokens("And God said"), new AttributionOptions { MaxLogits = 5 });
    /// Console.WriteLine(graph.Nodes[graph.FirstLogit]);
    /// </code>
    /// </example>
    public static AttributionGraph Compute(HookedTransformer model, TranscoderSet transcoders, Tensor tokens, AttributionOptions? options = null)
    {
        using var replacement = ReplacementModel.Create(model, transcoders, tokens);
        return Compute(replacement, options);
    }

    /// <summary>The attribution graph of the prompt of <paramref name="replacement"/>.</summary>
    public static AttributionGraph Compute(ReplacementModel replacement, AttributionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        options = (options ?? new AttributionOptions()).Validate();
        using var scope = NewDisposeScope();
        var model = replacement.Model;
        int layers = model.Config.NLayers, pos = replacement.Positions;

        var nodes = new List<AttributionNode>();
        var featureAt = new List<(int Layer, int Position, int Feature, float Activation)>();
        for (int l = 0; l < layers; l++)
        {
            var acts = replacement.Activations(l).to(ScalarType.Float32).cpu();
            var values = acts.data<float>().ToArray();
            int dT = (int)acts.shape[1];
            for (int i = 0; i < values.Length; i++)
            {
                if (values[i] == 0) continue;
                featureAt.Add((l, i / dT, i % dT, values[i]));
                nodes.Add(new AttributionNode(AttributionNodeKind.Feature, l, i / dT, i % dT, -1, values[i], 0));
            }
        }
        var tokenIds = replacement.Tokens[0].cpu().data<long>().ToArray();
        for (int l = 0; l < layers; l++)
            for (int p = 0; p < pos; p++) nodes.Add(new AttributionNode(AttributionNodeKind.Error, l, p, -1, -1, 0, 0));
        for (int p = 0; p < pos; p++) nodes.Add(new AttributionNode(AttributionNodeKind.Embedding, -1, p, -1, tokenIds[p], 0, 0));
        var (logitIds, logitProbs) = SalientLogits(replacement, options);
        for (int k = 0; k < logitIds.Length; k++)
            nodes.Add(new AttributionNode(AttributionNodeKind.Logit, layers, pos - 1, -1, logitIds[k], 0, logitProbs[k]));

        int n = nodes.Count, firstLogit = n - logitIds.Length;
        var adjacency = new float[(long)n * n];
        var value = new double[n];
        var bias = new double[n];
        var targets = Enumerable.Range(0, featureAt.Count).Concat(Enumerable.Range(firstLogit, logitIds.Length)).ToArray();
        var pass = new AttributionPass(replacement, featureAt, logitIds, n);
        var constants = pass.Constants();
        pass.RunAll(targets, options.BatchSize, adjacency, value, bias);
        foreach (int t in targets) bias[t] += constants[t];

        string[] promptTokens = model.Tokenizer is null ? tokenIds.Select(t => t.ToString()).ToArray() : model.ToStrTokens(replacement.Tokens);
        string[] logitTokens;
        if (model.Tokenizer is null) logitTokens = logitIds.Select(t => t.ToString()).ToArray();
        else logitTokens = model.ToStrTokens(tensor(logitIds));
        var counts = Enumerable.Range(0, layers).Select(replacement.Transcoders.FeatureCount).ToArray();
        return new AttributionGraph(nodes.ToArray(), adjacency, value, bias, tokenIds, promptTokens, logitTokens, layers, counts);
    }

    /// <summary>The most likely next tokens at the last position, until their probabilities reach the desired sum.</summary>
    static (long[] Ids, double[] Probabilities) SalientLogits(ReplacementModel replacement, AttributionOptions options)
    {
        using var scope = NewDisposeScope();
        var probs = replacement.CleanLogits[0, -1].to(ScalarType.Float64).softmax(-1);
        int k = (int)Math.Min(options.MaxLogits, probs.shape[0]);
        var (top, idx) = probs.topk(k);
        var p = top.cpu().data<double>().ToArray();
        var ids = idx.cpu().data<long>().ToArray();
        int keep = 0;
        double sum = 0;
        while (keep < k && sum < options.DesiredLogitProbability) sum += p[keep++];
        return (ids[..keep], p[..keep]);
    }
}
