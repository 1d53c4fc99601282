using InterpKernel.Analysis;

namespace InterpKernel.Tests.Circuits.Attribution;

/// <summary>
/// A hand-made graph on two positions of a two-layer model, whose influences are worked out by hand:
/// feature a (layer 0, pos 0, feature 3) reads embedding 0 (weight 3) and error L0@0 (1); feature b (layer 1, pos 1,
/// feature 5) reads a (3) and embedding 1 (1); the one logit (token 42, p = 1) reads b (4) and embedding 1 (-4).
/// Row-normalised, the logit's influence flows 0.5 to b and 0.5 to embedding 1; b passes 0.375 to a and 0.125 to
/// embedding 1; a passes 0.28125 to embedding 0 and 0.09375 to the error. Totals: embedding 1 0.625, b 0.5, a 0.375,
/// embedding 0 0.28125, error 0.09375 (sum 1.875).
/// </summary>
public static class SmallGraph
{
    public const int A = 0, B = 1, ErrorL0P0 = 2, Embed0 = 6, Embed1 = 7, Logit = 8;

    public static AttributionGraph Build()
    {
        var nodes = new List<AttributionNode>
        {
            new(AttributionNodeKind.Feature, 0, 0, 3, -1, 2.0, 0),
            new(AttributionNodeKind.Feature, 1, 1, 5, -1, 1.0, 0),
        };
        for (int l = 0; l < 2; l++)
            for (int p = 0; p < 2; p++) nodes.Add(new AttributionNode(AttributionNodeKind.Error, l, p, -1, -1, 0, 0));
        nodes.Add(new AttributionNode(AttributionNodeKind.Embedding, -1, 0, -1, 10, 0, 0));
        nodes.Add(new AttributionNode(AttributionNodeKind.Embedding, -1, 1, -1, 11, 0, 0));
        nodes.Add(new AttributionNode(AttributionNodeKind.Logit, 2, 1, -1, 42, 0, 1.0));
        int n = nodes.Count;
        var adjacency = new float[n * n];
        void Edge(int target, int source, float w) => adjacency[target * n + source] = w;
        Edge(A, Embed0, 3);
        Edge(A, ErrorL0P0, 1);
        Edge(B, A, 3);
        Edge(B, Embed1, 1);
        Edge(Logit, B, 4);
        Edge(Logit, Embed1, -4);
        var values = new double[n];
        var bias = new double[n];
        values[A] = 4.5; bias[A] = 0.5;
        values[B] = 4.25; bias[B] = 0.25;
        values[Logit] = 0.1; bias[Logit] = 0.1;
        return new AttributionGraph(nodes.ToArray(), adjacency, values, bias, [10, 11], ["In", " the"], [" beginning"], 2, [100, 100]);
    }
}
