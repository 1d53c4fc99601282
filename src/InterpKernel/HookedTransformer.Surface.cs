using static TorchSharp.torch;

namespace InterpKernel;

public sealed partial class HookedTransformer
{
    /// <summary>Query weights of every layer <c>[n_layers, n_heads, d_model, d_head]</c> (a new tensor).</summary>
    public Tensor W_Q => StackWeights(b => b.Attn.WQ);
    /// <summary>Key weights of every layer <c>[n_layers, n_kv_heads, d_model, d_head]</c>.</summary>
    public Tensor W_K => StackWeights(b => b.Attn.WK);
    /// <summary>Value weights of every layer <c>[n_layers, n_kv_heads, d_model, d_head]</c>.</summary>
    public Tensor W_V => StackWeights(b => b.Attn.WV);
    /// <summary>Output weights of every layer <c>[n_layers, n_heads, d_head, d_model]</c>.</summary>
    public Tensor W_O => StackWeights(b => b.Attn.WO);
    /// <summary>MLP input weights of every layer <c>[n_layers, d_model, d_mlp]</c>.</summary>
    public Tensor W_in => StackWeights(b => b.Mlp.WIn);
    /// <summary>MLP output weights of every layer <c>[n_layers, d_mlp, d_model]</c>.</summary>
    public Tensor W_out => StackWeights(b => b.Mlp.WOut);

    Tensor StackWeights(Func<Components.TransformerBlock, Tensor> pick)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return stack(_blockArray.Select(pick).ToArray(), 0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The unembedding directions of tokens: <c>W_U[:, id]</c>, <c>[d_model]</c> for one token or
    /// <c>[n, d_model]</c> for several (TransformerLens's <c>tokens_to_residual_directions</c>).
    /// </summary>
    /// <example><code>using var isaacMinusJacob = model.TokensToResidualDirections(" Isaac") - model.TokensToResidualDirections(" Jacob");</code></example>
    public Tensor TokensToResidualDirections(params int[] tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Length == 0) throw new ArgumentException("Give at least one token id.", nameof(tokens));
        foreach (int t in tokens)
            if (t < 0 || t >= Config.DVocab)
                throw new ArgumentOutOfRangeException(nameof(tokens), t, $"token {t} does not exist: ids lie in 0..{Config.DVocab - 1}.");
        using var scope = NewDisposeScope();
        var ids = tensor(tokens.Select(t => (long)t).ToArray(), ScalarType.Int64).to(Device);
        var dirs = W_U.index_select(1, ids).t(); // [n, d_model]
        return (tokens.Length == 1 ? dirs[0] : dirs).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>The residual direction of a string that is exactly one token (e.g. <c>" Isaac"</c>).</summary>
    public Tensor TokensToResidualDirections(string token) => TokensToResidualDirections(ToSingleToken(token));

    /// <summary>
    /// The next-token cross-entropy of <paramref name="tokens"/> <c>[batch, pos]</c>: the mean (a scalar), or with
    /// <paramref name="perToken"/> each prediction's loss <c>[batch, pos - 1]</c>.
    /// </summary>
    /// <example><code>using var loss = model.Loss(tokens, perToken: true); // [1, pos - 1]</code></example>
    public Tensor Loss(Tensor tokens, bool perToken = false)
    {
        using var scope = NewDisposeScope();
        var t = PrepareTokens(tokens, 0);
        if (t.shape[1] < 2) throw new ArgumentException("The loss needs at least two tokens per prompt.", nameof(tokens));
        var logits = ForwardCore(t, null, null, null, null);
        var loss = PerTokenLoss(logits, t);
        return (perToken ? loss : loss.mean()).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The next-token loss of a padded batch: per token <c>[batch, pos - 1]</c> (0 where the predicted token is a
    /// pad), or the mean over real predictions only.
    /// </summary>
    public Tensor Loss(TokenBatch batch, bool perToken = false)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        var t = PrepareTokens(batch.Tokens, 0);
        if (t.shape[1] < 2) throw new ArgumentException("The loss needs at least two tokens per prompt.", nameof(batch));
        var logits = ForwardCore(t, null, null, null, batch.AttentionMask);
        var real = batch.RealMask(Device);
        // A prediction counts when both the token it reads and the token it predicts are real.
        var counted = real.narrow(1, 0, t.shape[1] - 1).logical_and(real.narrow(1, 1, t.shape[1] - 1));
        var loss = PerTokenLoss(logits, t).masked_fill(counted.logical_not(), 0);
        return (perToken ? loss : loss.sum() / counted.sum().clamp_min(1)).MoveToOuterDisposeScope();
    }

    static Tensor PerTokenLoss(Tensor logits, Tensor tokens) // [batch, pos, d_vocab] -> [batch, pos - 1]
    {
        long pos = tokens.shape[1];
        var logProbs = logits.narrow(1, 0, pos - 1).to(ScalarType.Float32).log_softmax(-1);
        return -logProbs.gather(-1, tokens.narrow(1, 1, pos - 1).unsqueeze(-1)).squeeze(-1);
    }

    /// <summary>
    /// How the model ranks <paramref name="answer"/> after <paramref name="prompt"/>: each answer token's rank,
    /// probability and the <paramref name="topK"/> tokens it preferred (TransformerLens's <c>test_prompt</c>). A space
    /// is put before the answer unless <paramref name="prependSpaceToAnswer"/> is false.
    /// </summary>
    /// <example><code>Console.WriteLine(model.TestPrompt("And Abraham said unto", "Isaac"));</code></example>
    public PromptTest TestPrompt(string prompt, string answer, bool prependSpaceToAnswer = true, int topK = 10, bool prependBos = true)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentException.ThrowIfNullOrEmpty(answer);
        if (topK < 1) throw new ArgumentOutOfRangeException(nameof(topK), topK, "topK must be 1 or more.");
        var tok = RequireTokenizer();
        if (prependSpaceToAnswer && !answer.StartsWith(' ')) answer = " " + answer;
        int[] promptIds = tok.Encode(prompt, prependBos);
        int[] answerIds = tok.Encode(answer, prependBos: false);
        if (promptIds.Length == 0) throw new ArgumentException("The prompt encodes to no tokens: give some text or keep prependBos.", nameof(prompt));
        int[] all = promptIds.Concat(answerIds).ToArray();
        using var scope = NewDisposeScope();
        var tokens = tensor(all.Select(i => (long)i).ToArray(), [1, all.Length], ScalarType.Int64).to(Device);
        var logits = ForwardCore(tokens, null, null, null, null)[0].to(ScalarType.Float32); // [pos, d_vocab]
        var result = new List<AnswerToken>();
        for (int i = 0; i < answerIds.Length; i++)
        {
            var row = logits[promptIds.Length - 1 + i];
            var probs = row.softmax(-1);
            int id = answerIds[i];
            double logit = row[id].item<float>();
            int rank = (int)row.gt(logit).sum().item<long>();
            var (values, indices) = probs.topk(Math.Min(topK, (int)Config.DVocab));
            var top = indices.data<long>().ToArray().Zip(values.data<float>().ToArray())
                .Select(p => (tok.ToStrTokens([(int)p.First])[0], (double)p.Second)).ToList();
            result.Add(new AnswerToken(tok.ToStrTokens([id])[0], rank, probs[id].item<float>(), logit, top));
        }
        return new PromptTest(tok.ToStrTokens(promptIds), result);
    }
}
