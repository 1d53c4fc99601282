using Microsoft.Data.Analysis;

namespace InterpKernel.Analysis;

/// <summary>Held-out accuracy of k-sparse probes for every k and selection method, with the neuron rankings behind them.</summary>
public sealed class SparseProbeResult
{
    internal SparseProbeResult(IReadOnlyList<SparseProbeRow> rows, IReadOnlyList<int> meanDifferenceRanking, IReadOnlyList<int> l1Ranking)
    {
        Rows = rows;
        MeanDifferenceRanking = meanDifferenceRanking;
        L1Ranking = l1Ranking;
    }

    /// <summary>One row per method and k, in the order of the k list.</summary>
    public IReadOnlyList<SparseProbeRow> Rows { get; }

    /// <summary>Neurons by absolute difference of class means on the training rows, largest first.</summary>
    public IReadOnlyList<int> MeanDifferenceRanking { get; }

    /// <summary>Neurons in the order they enter an L1-regularised logistic regression as the penalty is relaxed.</summary>
    public IReadOnlyList<int> L1Ranking { get; }

    /// <summary>The single most informative neuron (the k = 1 choice by mean difference).</summary>
    public int TopNeuron => MeanDifferenceRanking[0];

    /// <summary>The rows as a table: method, k, test_accuracy, test_auc, neurons.</summary>
    public DataFrame ToDataFrame() => new(
        new StringDataFrameColumn("method", Rows.Select(r => r.Method)),
        new Int32DataFrameColumn("k", Rows.Select(r => r.K)),
        new DoubleDataFrameColumn("test_accuracy", Rows.Select(r => r.TestAccuracy)),
        new DoubleDataFrameColumn("test_auc", Rows.Select(r => r.TestAuc)),
        new StringDataFrameColumn("neurons", Rows.Select(r => string.Join(" ", r.Neurons))));

    /// <inheritdoc />
    public override string ToString() =>
        string.Join(Environment.NewLine, Rows.Select(r => $"{r.Method,-16} k={r.K,-4} acc={r.TestAccuracy:F3} auc={r.TestAuc:F3} [{string.Join(", ", r.Neurons.Take(8))}{(r.Neurons.Count > 8 ? ", ..." : "")}]"));
}
