namespace InterpKernel.Analysis;

public sealed partial class AttributionGraph
{
    /// <summary>
    /// Keeps the nodes that together hold <paramref name="nodeThreshold"/> of the influence on the logits, then the
    /// edges among them that hold <paramref name="edgeThreshold"/> of the edge influence, then drops feature and error
    /// nodes left without a kept edge out (and features without one in), until nothing changes. Embeddings and logits
    /// are always kept. <paramref name="maxNodes"/> (all kinds counted) and <paramref name="maxEdges"/> cap what is
    /// kept, most influential first.
    /// </summary>
    /// <example><code>var pruned = graph.Prune(nodeThreshold: 0.8, edgeThreshold: 0.98, maxNodes: 200);</code></example>
    public AttributionPruning Prune(double nodeThreshold = 0.8, double edgeThreshold = 0.98, int? maxNodes = null, int? maxEdges = null)
    {
        if (nodeThreshold is < 0 or > 1) throw new ArgumentException($"nodeThreshold is {nodeThreshold}: give a fraction in [0, 1].", nameof(nodeThreshold));
        if (edgeThreshold is < 0 or > 1) throw new ArgumentException($"edgeThreshold is {edgeThreshold}: give a fraction in [0, 1].", nameof(edgeThreshold));
        int n = Nodes.Count, alwaysKept = EmbeddingCount + LogitCount, firstAlways = FeatureCount + ErrorCount;
        if (maxNodes is { } mn && mn < alwaysKept)
            throw new ArgumentException($"maxNodes is {mn}, but the {EmbeddingCount} embeddings and {LogitCount} logits are always kept: give at least {alwaysKept}.", nameof(maxNodes));
        if (maxEdges is < 0) throw new ArgumentException($"maxEdges is {maxEdges}: give a count of at least 0.", nameof(maxEdges));

        var logitWeights = new double[n];
        for (int i = FirstLogit; i < n; i++) logitWeights[i] = Nodes[i].Probability;

        var influence = InfluenceOf(null, logitWeights);
        var nodeMask = new bool[n];
        double cut = ThresholdFor(influence, nodeThreshold);
        var candidates = Enumerable.Range(0, firstAlways).Where(i => influence[i] >= cut && influence[i] > 0)
            .OrderByDescending(i => influence[i]).Take(maxNodes is { } m ? m - alwaysKept : int.MaxValue);
        foreach (int i in candidates) nodeMask[i] = true;
        for (int i = firstAlways; i < n; i++) nodeMask[i] = true;

        // An edge's score: its share of its target's (pruned, absolute) inputs times the target's own influence.
        var rowSums = RowSums(nodeMask);
        var prunedInfluence = InfluenceOf(nodeMask, logitWeights);
        var scored = new List<(long Edge, double Score)>();
        for (int t = 0; t < n; t++)
        {
            double w = prunedInfluence[t] + logitWeights[t];
            if (w == 0 || rowSums[t] == 0) continue;
            for (int s = 0; s < n; s++)
            {
                float a = _adjacency[(long)t * n + s];
                if (a != 0 && nodeMask[s]) scored.Add(((long)t * n + s, Math.Abs(a) / rowSums[t] * w));
            }
        }
        double edgeCut = ThresholdFor(scored.Select(e => e.Score).ToArray(), edgeThreshold);
        var kept = scored.Where(e => e.Score >= edgeCut);
        if (maxEdges is { } me) kept = kept.OrderByDescending(e => e.Score).Take(me);
        var edgeMask = new bool[(long)n * n];
        foreach (var (edge, _) in kept) edgeMask[edge] = true;

        DropDanglingNodes(nodeMask, edgeMask, n, firstAlways);
        return new AttributionPruning(nodeMask, edgeMask, influence, Cumulative(influence), nodeThreshold, edgeThreshold);
    }

    /// <summary>Drops feature and error nodes with no kept outgoing edge, and features with no kept incoming edge, until stable.</summary>
    void DropDanglingNodes(bool[] nodeMask, bool[] edgeMask, int n, int firstAlways)
    {
        for (bool changed = true; changed;)
        {
            changed = false;
            for (int t = 0; t < n; t++)
                for (int s = 0; s < n; s++)
                    if (!nodeMask[t] || !nodeMask[s]) edgeMask[(long)t * n + s] = false;
            for (int i = 0; i < firstAlways; i++)
            {
                if (!nodeMask[i]) continue;
                bool hasOut = false, hasIn = i >= FeatureCount;
                for (int t = 0; t < n && !hasOut; t++) hasOut = edgeMask[(long)t * n + i];
                for (int s = 0; s < n && !hasIn; s++) hasIn = edgeMask[(long)i * n + s];
                if (hasOut && hasIn) continue;
                nodeMask[i] = false;
                changed = true;
            }
        }
    }

    /// <summary>Each target's sum of absolute weights from sources in <paramref name="mask"/> (all when null); 0 for targets outside it.</summary>
    double[] RowSums(bool[]? mask)
    {
        int n = Nodes.Count;
        var sums = new double[n];
        for (int t = 0; t < n; t++)
        {
            if (mask is not null && !mask[t]) continue;
            double sum = 0;
            for (int s = 0; s < n; s++)
                if (mask is null || mask[s]) sum += Math.Abs(_adjacency[(long)t * n + s]);
            sums[t] = sum < 1e-10 ? 0 : sum;
        }
        return sums;
    }

    /// <summary>
    /// <c>w (A + A² + A³ + ...)</c> for the row-normalised absolute adjacency <c>A</c> (restricted to
    /// <paramref name="mask"/> when given) and logit weights <c>w</c>, which is <c>w ((I - A)⁻¹ - I)</c>. The graph is
    /// acyclic, so the series ends after at most as many terms as it has layers plus two.
    /// </summary>
    double[] InfluenceOf(bool[]? mask, double[] logitWeights)
    {
        int n = Nodes.Count;
        var rowSums = RowSums(mask);
        var total = new double[n];
        var current = (double[])logitWeights.Clone();
        for (int step = 0; step <= n; step++)
        {
            var next = new double[n];
            bool any = false;
            for (int t = 0; t < n; t++)
            {
                if (current[t] == 0 || rowSums[t] == 0) continue;
                double c = current[t] / rowSums[t];
                long row = (long)t * n;
                for (int s = 0; s < n; s++)
                    if (mask is null || mask[s]) next[s] += c * Math.Abs(_adjacency[row + s]);
            }
            for (int s = 0; s < n; s++)
            {
                total[s] += next[s];
                any |= next[s] != 0;
            }
            if (!any) return total;
            current = next;
        }
        throw new InvalidOperationException("The influence series did not end: the graph has a cycle.");
    }

    /// <summary>The smallest score among the top scores that together hold <paramref name="fraction"/> of the total.</summary>
    static double ThresholdFor(double[] scores, double fraction)
    {
        var sorted = scores.Where(s => s > 0).OrderByDescending(s => s).ToArray();
        if (sorted.Length == 0) return double.PositiveInfinity;
        double total = sorted.Sum(), running = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            running += sorted[i];
            if (running / total >= fraction) return sorted[i];
        }
        return sorted[^1];
    }

    /// <summary>For each node, the share of the total held by it and every node ranked above it.</summary>
    static double[] Cumulative(double[] influence)
    {
        var order = Enumerable.Range(0, influence.Length).OrderByDescending(i => influence[i]).ToArray();
        double total = influence.Sum(), running = 0;
        var result = new double[influence.Length];
        foreach (int i in order)
        {
            running += influence[i];
            result[i] = total > 0 ? running / total : 0;
        }
        return result;
    }
}
