using Microsoft.Data.Analysis;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Reads weight matrices through the vocabulary: the SVD of a matrix that writes to the residual stream, each
/// right singular direction projected through <c>W_U</c>, and the tokens it most promotes listed. Often the top
/// directions of an OV circuit or an MLP's output weights are clean semantic clusters.
/// </summary>
/// <remarks>
/// A singular direction's sign is arbitrary, so both ends are reported: <c>sign = +1</c> rows are the tokens with
/// the largest logits along <c>v</c>, <c>sign = −1</c> along <c>−v</c>. Raw <c>W_U</c>, without the final LayerNorm.
/// </remarks>
/// <example>
/// <code>
/// DataFrame table = VocabularySvd.OV(model, layer: 1, head: 4, directions: 3, topK: 8);
/// </code>
/// </example>
public static class VocabularySvd
{
    /// <summary>Top tokens per singular direction of one head's <c>W_V W_O</c>.</summary>
    public static DataFrame OV(HookedTransformer model, int layer, int head, int directions = 5, int topK = 10)
    {
        using var scope = NewDisposeScope();
        HeadCircuits.CheckHead(model, head);
        var (_, _, wv, wo) = HeadCircuits.Weights(model, layer);
        return TopTokens(model, wv[head].matmul(wo[head]), directions, topK);
    }

    /// <summary>Top tokens per singular direction of one MLP's output weights <c>W_out [d_mlp, d_model]</c>.</summary>
    public static DataFrame MlpOut(HookedTransformer model, int layer, int directions = 5, int topK = 10)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (layer < 0 || layer >= model.Config.NLayers)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"layer {layer} does not exist: the model has {model.Config.NLayers} layers.");
        return TopTokens(model, model.Blocks[layer].Mlp.WOut, directions, topK);
    }

    /// <summary>
    /// Top tokens per singular direction of any <paramref name="matrix"/> <c>[rows, d_model]</c> whose rows are
    /// written to the residual stream. Columns: <c>direction</c>, <c>singular_value</c>, <c>sign</c>, <c>rank</c>,
    /// <c>token</c>, <c>token_id</c>, <c>logit</c>.
    /// </summary>
    public static DataFrame TopTokens(HookedTransformer model, Tensor matrix, int directions = 5, int topK = 10)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.dim() != 2 || matrix.shape[1] != model.Config.DModel)
            throw new ArgumentException(
                $"matrix must be [rows, d_model = {model.Config.DModel}] (it is read in the residual stream), but has shape [{string.Join(", ", matrix.shape)}].",
                nameof(matrix));
        if (directions < 1 || topK < 1) throw new ArgumentException($"directions and topK must be at least 1 (got {directions}, {topK}).", nameof(directions));
        using var scope = NewDisposeScope();
        var (_, s, vh) = linalg.svd(matrix.to(ScalarType.Float32), fullMatrices: false);
        int n = (int)Math.Min(directions, s.shape[0]);
        var logits = vh[..n].matmul(HeadCircuits.Unembedding(model)); // [directions, d_vocab]
        var table = new TopTokenTable();
        for (int d = 0; d < n; d++)
        {
            float sv = s[d].item<float>();
            foreach (int sign in new[] { 1, -1 })
            {
                var (values, ids) = (logits[d] * sign).topk(Math.Min(topK, (int)logits.shape[1]));
                var v = values.data<float>().ToArray();
                var id = ids.data<long>().ToArray();
                for (int r = 0; r < v.Length; r++) table.Add(model, d, sv, sign, r, (int)id[r], v[r]);
            }
        }
        return table.ToDataFrame();
    }

    sealed class TopTokenTable
    {
        readonly List<int> _direction = new(), _sign = new(), _rank = new(), _id = new();
        readonly List<float> _sv = new(), _logit = new();
        readonly List<string> _token = new();

        public void Add(HookedTransformer model, int direction, float sv, int sign, int rank, int id, float logit)
        {
            _direction.Add(direction); _sv.Add(sv); _sign.Add(sign); _rank.Add(rank); _id.Add(id); _logit.Add(logit);
            _token.Add(TokenText.Of(model, id));
        }

        public DataFrame ToDataFrame() => new(
            new PrimitiveDataFrameColumn<int>("direction", _direction), new PrimitiveDataFrameColumn<float>("singular_value", _sv),
            new PrimitiveDataFrameColumn<int>("sign", _sign), new PrimitiveDataFrameColumn<int>("rank", _rank),
            new StringDataFrameColumn("token", _token), new PrimitiveDataFrameColumn<int>("token_id", _id),
            new PrimitiveDataFrameColumn<float>("logit", _logit));
    }
}
