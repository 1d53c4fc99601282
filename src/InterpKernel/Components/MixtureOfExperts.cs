using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InterpKernel.Components;

/// <summary>
/// A mixture-of-experts MLP (Mixtral): a router scores every expert per token (<c>hook_router_logits</c>
/// <c>[batch, pos, n_experts]</c>), the top-k experts' softmax probabilities, renormalised to sum to 1, weight their
/// outputs (<c>hook_expert_weights</c> <c>[batch, pos, n_experts]</c>, zero for experts not chosen). Each expert is a
/// gated MLP (<c>W_gate</c>, <c>W_in</c>, <c>W_out</c>). Zeroing an expert's weight in <c>hook_expert_weights</c>
/// ablates it for that token; patching the hook moves routing decisions between runs.
/// </summary>
public sealed class MixtureOfExperts : nn.Module<Tensor, Tensor>, IHookOrder
{
    readonly Parameter W_router;  // [d_model, n_experts]
    readonly ParameterList experts_W_gate, experts_W_in, experts_W_out; // per expert [d_model, d_mlp], [d_model, d_mlp], [d_mlp, d_model]
    readonly HookPoint hook_router_logits, hook_expert_weights;
    readonly Func<Tensor, Tensor> _act;
    readonly int _nExperts, _topK;

    internal MixtureOfExperts(int layer, TransformerConfig cfg, Weights weights) : base($"blocks.{layer}.mlp")
    {
        string p = $"blocks.{layer}.mlp.";
        _nExperts = cfg.NExperts;
        _topK = cfg.ExpertsPerToken;
        W_router = new Parameter(weights.Get(p + "W_router", cfg.DModel, _nExperts).contiguous(), requires_grad: false);
        experts_W_gate = new ParameterList();
        experts_W_in = new ParameterList();
        experts_W_out = new ParameterList();
        for (int e = 0; e < _nExperts; e++)
        {
            string x = $"{p}experts.{e}.";
            experts_W_gate.Add(new Parameter(weights.Get(x + "W_gate", cfg.DModel, cfg.DMlp).contiguous(), requires_grad: false));
            experts_W_in.Add(new Parameter(weights.Get(x + "W_in", cfg.DModel, cfg.DMlp).contiguous(), requires_grad: false));
            experts_W_out.Add(new Parameter(weights.Get(x + "W_out", cfg.DMlp, cfg.DModel).contiguous(), requires_grad: false));
        }
        hook_router_logits = new HookPoint(p + "hook_router_logits");
        hook_expert_weights = new HookPoint(p + "hook_expert_weights");
        _act = Activations.For(cfg.Activation);
        RegisterComponents();
    }

    /// <summary>Router weights <c>[d_model, n_experts]</c>.</summary>
    public Tensor WRouter => W_router;
    /// <summary>Number of experts.</summary>
    public int NExperts => _nExperts;
    /// <summary>Gate weights of expert <paramref name="e"/> <c>[d_model, d_mlp]</c>.</summary>
    public Tensor WGate(int e) => experts_W_gate[e];
    /// <summary>Input weights of expert <paramref name="e"/> <c>[d_model, d_mlp]</c>.</summary>
    public Tensor WIn(int e) => experts_W_in[e];
    /// <summary>Output weights of expert <paramref name="e"/> <c>[d_mlp, d_model]</c>.</summary>
    public Tensor WOut(int e) => experts_W_out[e];

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        long batch = x.shape[0], pos = x.shape[1], dModel = x.shape[2];
        var logits = hook_router_logits.call(x.matmul(W_router)); // [batch, pos, n_experts]
        var probs = logits.softmax(-1, ScalarType.Float32);
        var (top, chosen) = probs.topk(_topK, -1);                 // [batch, pos, k]
        top = top / top.sum(-1, keepdim: true);
        var dense = zeros_like(probs).scatter(-1, chosen, top).to(x.dtype);
        var expertWeights = hook_expert_weights.call(dense);       // [batch, pos, n_experts]

        var flat = x.reshape(-1, dModel);                          // [tokens, d_model]
        var flatWeights = expertWeights.reshape(-1, _nExperts);
        var output = zeros_like(flat);
        for (int e = 0; e < _nExperts; e++)
        {
            // Only the tokens routed to (or patched onto) this expert run through it.
            var tokens = flatWeights.select(1, e).nonzero().squeeze(1);
            if (tokens.shape[0] == 0) continue;
            var h = flat.index_select(0, tokens);
            var post = _act(h.matmul(experts_W_gate[e])) * h.matmul(experts_W_in[e]);
            var y = post.matmul(experts_W_out[e]) * flatWeights.index_select(0, tokens).narrow(1, e, 1);
            output.index_add_(0, tokens, y, 1);
        }
        return output.view(batch, pos, dModel); // [batch, pos, d_model]
    }

    /// <inheritdoc />
    IEnumerable<HookPoint> IHookOrder.HooksInForwardOrder() => [hook_router_logits, hook_expert_weights];
}
