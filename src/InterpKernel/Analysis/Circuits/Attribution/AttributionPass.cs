using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// The backward passes behind an <see cref="AttributionGraph"/>: a batch of copies of the frozen replacement model, in
/// which the token embeddings and every layer's MLP output are leaves, one target per copy. Because the frozen model is
/// affine in those leaves, the gradient of a target with respect to a leaf, dotted with what a node writes there, is
/// that node's direct effect on the target.
/// </summary>
internal sealed class AttributionPass
{
    const int LogitBatch = 16;
    readonly ReplacementModel _rm;
    readonly (int Layer, int Position, int Feature, float Activation)[] _features;
    readonly long[] _logitIds;
    readonly int _n, _layers, _pos, _firstLogit;
    readonly int[] _layerStart; // first feature node of each layer, and the feature count at the end

    public AttributionPass(ReplacementModel replacement, IReadOnlyList<(int Layer, int Position, int Feature, float Activation)> features, long[] logitIds, int nodes)
    {
        _rm = replacement;
        _features = features.ToArray();
        _logitIds = logitIds;
        _n = nodes;
        _layers = replacement.Model.Config.NLayers;
        _pos = replacement.Positions;
        _firstLogit = nodes - logitIds.Length;
        _layerStart = new int[_layers + 1];
        for (int l = 0; l <= _layers; l++) _layerStart[l] = _features.Count(f => f.Layer < l);
    }

    /// <summary>Every target's value when all nodes write zero: what the biases alone give, along the frozen paths.</summary>
    public double[] Constants()
    {
        var constants = new double[_n];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var inputs = new Tensor?[_layers];
        var hooks = _rm.FrozenHooks();
        for (int l = 0; l < _layers; l++)
        {
            int layer = l;
            hooks.Add((TranscoderSet.InputHook(layer), (x, _) =>
            {
                inputs[layer] = x.alias();
                var pre = _rm.Transcoders.PreActivation(layer, x[0]).to(ScalarType.Float64).cpu(); // [pos, d_transcoder]
                long dT = pre.shape[1];
                var values = pre.data<double>().ToArray();
                for (int i = _layerStart[layer]; i < _layerStart[layer + 1]; i++)
                    constants[i] = values[_features[i].Position * dT + _features[i].Feature];
                return null;
            }));
            hooks.Add((TranscoderSet.OutputHook(layer), (mlpOut, _) => SkipOrZero(layer, mlpOut, inputs[layer])));
        }
        using (_rm.Model.Hooks(hooks.ToArray()))
        {
            var logits = _rm.Model.Forward(zeros_like(_rm.Embedding).unsqueeze(0), startAtLayer: 0);
            var demeaned = Demeaned(logits[0, -1]).cpu().data<double>().ToArray();
            for (int k = 0; k < _logitIds.Length; k++) constants[_firstLogit + k] = demeaned[_logitIds[k]];
        }
        return constants;
    }

    /// <summary>The target rows of <paramref name="targets"/>: feature rows in batches of <paramref name="batchSize"/>, logit rows in small batches.</summary>
    public void RunAll(IReadOnlyList<int> targets, int batchSize, float[] adjacency, double[] value, double[] bias)
    {
        foreach (var chunk in targets.Where(t => t < _firstLogit).Chunk(batchSize)) Run(chunk, adjacency, value, bias);
        foreach (var chunk in targets.Where(t => t >= _firstLogit).Chunk(Math.Min(batchSize, LogitBatch))) Run(chunk, adjacency, value, bias);
    }

    /// <summary>Fills the rows of <paramref name="targets"/> (feature or logit nodes) with one forward and one backward pass.</summary>
    void Run(int[] targets, float[] adjacency, double[] value, double[] bias)
    {
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var model = _rm.Model;
        var device = model.Device;
        long b = targets.Length, d = model.Config.DModel;
        var x0 = _rm.Embedding.unsqueeze(0).expand(b, _pos, d).clone().requires_grad_(true);
        var leaves = Enumerable.Range(0, _layers).Select(l => _rm.NodeOutput(l).unsqueeze(0).expand(b, _pos, d).clone().requires_grad_(true)).ToArray();
        var parts = new List<(int[] Rows, Tensor Values)>();
        var inputs = new Tensor?[_layers];
        var hooks = _rm.FrozenHooks();
        int deepest = -1;
        for (int l = 0; l < _layers; l++)
        {
            int layer = l;
            if (_rm.Transcoders.HasSkips) hooks.Add((TranscoderSet.InputHook(layer), (x, _) => { inputs[layer] = x.alias(); return null; }));
            var rows = Enumerable.Range(0, targets.Length).Where(r => targets[r] < _firstLogit && _features[targets[r]].Layer == layer).ToArray();
            if (rows.Length > 0)
            {
                deepest = layer;
                var batchIdx = tensor(rows.Select(r => (long)r).ToArray(), device: device);
                var posIdx = tensor(rows.Select(r => (long)_features[targets[r]].Position).ToArray(), device: device);
                var featIdx = tensor(rows.Select(r => (long)_features[targets[r]].Feature).ToArray(), device: device);
                hooks.Add((TranscoderSet.InputHook(layer), (x, _) =>
                {
                    var picked = x.index([TensorIndex.Tensor(batchIdx), TensorIndex.Tensor(posIdx)]); // [k, d_model]
                    var pre = _rm.Transcoders.PreActivation(layer, picked).gather(1, featIdx.unsqueeze(1)).squeeze(1); // [k]
                    parts.Add((rows, pre));
                    return null;
                }));
            }
            hooks.Add((TranscoderSet.OutputHook(layer), (mlpOut, _) =>
                inputs[layer] is { } input && _rm.Transcoders.Skip(layer, input) is { } skip
                    ? leaves[layer] + skip.to(mlpOut.dtype)
                    : leaves[layer].expand(mlpOut.shape)));
        }
        var logitRows = Enumerable.Range(0, targets.Length).Where(r => targets[r] >= _firstLogit).ToArray();
        using (model.Hooks(hooks.ToArray()))
        {
            if (logitRows.Length > 0)
            {
                var last = model.Forward(x0, startAtLayer: 0).select(1, -1); // [batch, d_vocab]
                var rowIdx = tensor(logitRows.Select(r => (long)r).ToArray(), device: device);
                var tokIdx = tensor(logitRows.Select(r => _logitIds[targets[r] - _firstLogit]).ToArray(), device: device);
                parts.Add((logitRows, Demeaned(last).index([TensorIndex.Tensor(rowIdx), TensorIndex.Tensor(tokIdx)])));
            }
            else model.Forward(x0, startAtLayer: 0, stopAtLayer: deepest + 1);
        }
        cat(parts.Select(p => p.Values).ToArray()).sum().backward();
        foreach (var (rows, values) in parts)
        {
            var v = values.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();
            for (int i = 0; i < rows.Length; i++) value[targets[rows[i]]] = v[i];
        }

        var featureCols = new List<Tensor>();
        var errorCols = new List<Tensor>();
        var biasPart = zeros(b, ScalarType.Float64, device);
        for (int l = 0; l < _layers; l++)
        {
            var g = leaves[l].grad ?? zeros_like(leaves[l]); // [batch, pos, d_model]; none where no target reads this layer
            errorCols.Add((g * _rm.Errors(l)).sum(-1)); // [batch, pos]
            biasPart += (g * _rm.Transcoders.DecoderBias(l)).sum([1, 2]).to(ScalarType.Float64);
            int start = _layerStart[l], count = _layerStart[l + 1] - start;
            if (count == 0) continue;
            var decoder = _rm.Transcoders.DecoderRows(l).to(g.dtype); // [d_transcoder, d_model]
            long dT = decoder.shape[0];
            var slice = _features.AsSpan(start, count).ToArray();
            var flat = tensor(slice.Select(f => f.Position * dT + f.Feature).ToArray(), device: device);
            var acts = tensor(slice.Select(f => f.Activation).ToArray(), device: device).to(g.dtype);
            // Every feature's gradient at every position is one product; the active ones are then picked out.
            var perFeature = g.matmul(decoder.t()).reshape(b, -1); // [batch, pos * d_transcoder]
            featureCols.Add(perFeature.index_select(1, flat) * acts); // [batch, k]
        }
        var embedCols = (x0.grad! * _rm.Embedding).sum(-1); // [batch, pos]
        var row = cat([.. featureCols, .. errorCols, embedCols, zeros(b, _logitIds.Length, embedCols.dtype, device)], 1)
            .to(ScalarType.Float32).cpu().data<float>().ToArray(); // [batch, n]
        var biases = biasPart.cpu().data<double>().ToArray();
        for (int r = 0; r < targets.Length; r++)
        {
            Array.Copy(row, (long)r * _n, adjacency, (long)targets[r] * _n, _n);
            bias[targets[r]] += biases[r];
        }
    }

    /// <summary>A skip transcoder's linear term on the live input, else zeros: what the MLP position carries when no node writes.</summary>
    Tensor SkipOrZero(int layer, Tensor mlpOut, Tensor? input) =>
        input is not null && _rm.Transcoders.Skip(layer, input) is { } skip ? skip.to(mlpOut.dtype) : zeros_like(mlpOut);

    static Tensor Demeaned(Tensor logits) => logits.to(ScalarType.Float64) - logits.to(ScalarType.Float64).mean([-1], keepdim: true);
}
