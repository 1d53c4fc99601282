using InterpKernel.Components;
using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// A forward pass of a <see cref="HookedTransformer"/> written over the edges of its <see cref="CircuitGraph"/>: every
/// receiver input (each head's query, key and value input, each MLP, the logits) is the sum of the sender outputs
/// before it, so single edges can be patched and the gradient at each receiver input read separately. With nothing
/// patched or tracked it computes the model's own logits.
/// </summary>
internal static class EdgeForward
{
    /// <summary>Logits <c>[variants · batch, pos, d_vocab]</c> for tokens <c>[batch, pos]</c>.</summary>
    public static Tensor Run(HookedTransformer model, CircuitLayout layout, Tensor tokens, EdgeRun run)
    {
        if (!model.LayerOrder.SequenceEqual(Enumerable.Range(0, model.Config.NLayers)))
            throw new InvalidOperationException("circuit analyses need the blocks in their checkpoint order: dispose the SwapLayers/SkipLayers scope first.");
        var cfg = model.Config;
        long batch = tokens.shape[0], pos = tokens.shape[1];
        int variants = run.Mask is null ? 1 : (int)run.Mask.shape[0];
        var input = run.InputOverride ?? model.Embed.call(tokens);
        if (run.InputOverride is null && model.PosEmbed is not null) input = input + model.PosEmbed.Forward(batch, pos, 0);
        if (variants > 1) input = input.repeat(variants, 1, 1);
        var state = new State(model, layout, run, variants, batch);
        state.Add(input, input);
        var causal = ones(pos, pos, ScalarType.Bool, model.Device).triu(1);
        double scale = 1.0 / Math.Sqrt(cfg.DHead);
        for (int l = 0; l < cfg.NLayers; l++)
        {
            var block = model.Blocks[l];
            var attn = block.Attn;
            var residPre = state.Resid;
            int first = layout.AttentionReceivers(l);
            var split = state.ReceiverInputs(first, layout.AttentionReceiverCount, layout.SendersBefore(l));
            Tensor? shared = null;
            Tensor Normed(int start, int count) => split is null
                ? (shared ??= block.Ln1.call(residPre)).unsqueeze(2).expand(-1, -1, count, -1)
                : block.Ln1.call(split.narrow(2, start, count)); // [batch, pos, count, d_model]
            int h = layout.Heads, kv = layout.KvHeads;
            var q = einsum("bphm,hmd->bphd", Normed(0, h), attn.WQ) + attn.BQ;        // [batch, pos, head_index, d_head]
            var k = einsum("bphm,hmd->bphd", Normed(h, kv), attn.WK) + attn.BK;       // [batch, pos, kv_head, d_head]
            var v = einsum("bphm,hmd->bphd", Normed(h + kv, kv), attn.WV) + attn.BV;
            if (model.RotaryEmbedding is { } rotary)
            {
                q = rotary.Apply(q, 0);
                k = rotary.Apply(k, 0);
            }
            var kT = k.transpose(1, 2);
            var vT = v.transpose(1, 2);
            if (kv != h)
            {
                kT = kT.repeat_interleave(h / kv, 1);
                vT = vT.repeat_interleave(h / kv, 1);
            }
            var scores = q.transpose(1, 2).matmul(kT.transpose(-1, -2)).mul(scale).masked_fill(causal, double.NegativeInfinity);
            var pattern = scores.softmax(-1, ScalarType.Float32).to(scores.dtype); // [batch, head_index, query_pos, key_pos]
            var z = pattern.matmul(vT).transpose(1, 2);                              // [batch, pos, head_index, d_head]
            var headOut = einsum("bphd,hdm->bphm", z, attn.WO);                      // [batch, pos, head_index, d_model]
            state.Add(headOut, headOut.sum(2) + attn.BO);

            int mlpReceiver = layout.MlpReceiver(l);
            var mlpSplit = state.ReceiverInputs(mlpReceiver, 1, layout.Receivers[mlpReceiver].Senders);
            var mlpIn = mlpSplit?.select(2, 0) ?? (layout.Parallel ? residPre : state.Resid);
            var mlpOut = block.Mlp.call(block.Ln2.call(mlpIn));                      // [batch, pos, d_model]
            if (layout.Parallel)
            {
                // The MLP read the stream before this layer's heads, so it counts as a sender after them.
                state.Add(mlpOut.unsqueeze(2), mlpOut);
            }
            else state.Add(mlpOut.unsqueeze(2), mlpOut);
        }
        var final = state.ReceiverInputs(layout.LogitsReceiver, 1, layout.SenderCount)?.select(2, 0) ?? state.Resid;
        if (run.LogitWindow is not { } w || (w.Start == 0 && w.Count == pos))
            return model.Unembed.call(model.LnFinal.call(final)); // [batch, pos, d_vocab]
        var window = model.Unembed.call(model.LnFinal.call(final.narrow(1, w.Start, w.Count)));
        var logits = zeros(window.shape[0], pos, window.shape[2], window.dtype, window.device);
        return logits.index_copy(1, arange(w.Start, w.Start + w.Count, ScalarType.Int64, window.device), window);
    }

    /// <summary>The senders so far, their running sum, and the patching and tracking of receiver inputs.</summary>
    sealed class State
    {
        readonly CircuitLayout _layout;
        readonly EdgeRun _run;
        readonly int _variants;
        readonly long _batch;
        readonly List<Tensor> _outputs = new(); // each [batch, pos, k, d_model]
        readonly Tensor? _reference;
        Tensor? _stack;
        int _stackCount;

        public State(HookedTransformer model, CircuitLayout layout, EdgeRun run, int variants, long batch)
        {
            _layout = layout;
            _run = run;
            _variants = variants;
            _batch = batch;
            if (run.Reference is { } r)
                _reference = variants > 1 && r.shape[0] == batch ? r.repeat(variants, 1, 1, 1) : r;
        }

        public Tensor Resid { get; private set; } = null!;
        int Count => _outputs.Sum(o => (int)o.shape[2]);

        /// <summary>Adds senders <c>[batch, pos, k, d_model]</c> (or the input <c>[batch, pos, d_model]</c>) and what they add to the stream.</summary>
        public void Add(Tensor outputs, Tensor streamAddition)
        {
            var o = outputs.dim() == 3 ? outputs.unsqueeze(2) : outputs;
            _outputs.Add(o);
            if (_run.Outputs is { } list)
                for (int i = 0; i < o.shape[2]; i++) list.Add(o.select(2, i));
            Resid = Resid is null ? streamAddition : Resid + streamAddition;
        }

        /// <summary>
        /// The inputs of receivers <c>first … first + count − 1</c>, <c>[batch, pos, count, d_model]</c>, or null when
        /// they all read the plain stream.
        /// </summary>
        public Tensor? ReceiverInputs(int first, int count, int senders)
        {
            Tensor? x = null;
            if (_reference is not null && _run.Mask is { } mask)
            {
                var m = mask.narrow(1, 0, senders).narrow(2, first, count); // [variants, senders, count]
                if (m.any().item<bool>())
                {
                    var current = Stack(senders);                           // [variants · batch, pos, senders, d_model]
                    var delta = _reference.narrow(2, 0, senders) - current;
                    long pos = current.shape[1], d = current.shape[3];
                    var patched = einsum("vbpsd,vsr->vbprd", delta.reshape(_variants, -1, pos, senders, d), m.to(delta.dtype));
                    x = Resid.unsqueeze(2) + patched.reshape(-1, pos, count, d);
                }
            }
            if (_run.TrackReceiver is { } track && track(first))
            {
                var plain = x ?? Resid.unsqueeze(2).expand(-1, -1, count, -1);
                var leaf = zeros(plain.shape, plain.dtype, plain.device).requires_grad_(true);
                _run.Leaves[first] = leaf;
                x = plain + leaf;
            }
            return x;
        }

        Tensor Stack(int senders)
        {
            if (_stack is null || _stackCount != Count)
            {
                _stack = cat(_outputs.ToArray(), 2);
                _stackCount = Count;
            }
            return _stack.narrow(2, 0, senders);
        }
    }
}
