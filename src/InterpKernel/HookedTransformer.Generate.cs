using static TorchSharp.torch;

namespace InterpKernel;

public sealed partial class HookedTransformer
{
    /// <summary>
    /// Continues <paramref name="tokens"/> <c>[batch, pos]</c> by up to <paramref name="maxNewTokens"/> tokens and
    /// returns the prompt followed by them. Temperature 0 is greedy; otherwise tokens are sampled (reproducibly with
    /// <paramref name="seed"/>). A key/value cache makes each new token cost one position; hooks attached with
    /// <see cref="Hooks(ValueTuple{string, HookFunction}[])"/> fire at every step.
    /// </summary>
    /// <example><code>using var output = model.Generate(model.ToTokens("And God said"), 8);</code></example>
    public Tensor Generate(Tensor tokens, int maxNewTokens, float temperature = 0f, int? seed = null) =>
        Generate(tokens, maxNewTokens, temperature, seed, stopAtEos: false, useKeyValueCache: true);

    /// <summary>
    /// Like <see cref="Generate(Tensor, int, float, int?)"/>, optionally stopping once every row has produced the EOS
    /// token (<paramref name="stopAtEos"/>) and optionally re-running the whole sequence per token
    /// (<paramref name="useKeyValueCache"/> false, for comparison).
    /// </summary>
    public Tensor Generate(Tensor tokens, int maxNewTokens, float temperature, int? seed, bool stopAtEos, bool useKeyValueCache = true) =>
        Generate(tokens, new GenerationOptions
        {
            MaxNewTokens = maxNewTokens, Temperature = temperature, Seed = seed, StopAtEos = stopAtEos, UseKeyValueCache = useKeyValueCache,
        });

    /// <summary>
    /// Continues <paramref name="tokens"/> <c>[batch, pos]</c> (no pads) as <paramref name="options"/> say; a row
    /// that has stopped repeats its stop token until every row has stopped.
    /// </summary>
    public Tensor Generate(Tensor tokens, GenerationOptions options)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        using var scope = NewDisposeScope();
        var (sequence, _) = GenerateCore(PrepareTokens(tokens, 0), null, options);
        return sequence.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Continues every row of a padded batch from its own last real token and returns prompt plus continuation per
    /// row, padded on the same side. Rows whose lengths differ are run left-padded, so greedy results equal running
    /// each prompt alone.
    /// </summary>
    /// <example>
    /// <code>
    /// using var prompts = model.ToTokens(["In the beginning", "And God said"], PaddingSide.Left);
    /// using var output = model.Generate(prompts, new GenerationOptions { MaxNewTokens = 10 });
    /// </code>
    /// </example>
    public TokenBatch Generate(TokenBatch batch, GenerationOptions options)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(options);
        var prompts = Enumerable.Range(0, batch.Count).Select(batch.Ids).ToArray();
        bool ragged = prompts.Any(p => p.Length != prompts[0].Length);
        using var left = TokenBatch.FromIds(prompts, PadTokenId, PaddingSide.Left, Device);
        List<int>[] added;
        using (var scope = NewDisposeScope())
        {
            var (sequence, _) = GenerateCore(PrepareTokens(left.Tokens, 0), ragged ? left.RealMask(Device) : null, options);
            added = NewTokens(sequence, left.Width, options);
        }
        var rows = prompts.Select((p, r) => (IReadOnlyList<int>)p.Concat(added[r]).ToArray()).ToArray();
        return TokenBatch.FromIds(rows, PadTokenId, batch.Padding, Device);
    }

    /// <summary>Generates text after <paramref name="prompt"/> and returns the prompt followed by the continuation.</summary>
    /// <example><code>Console.WriteLine(model.Generate("And God said", maxNewTokens: 10));</code></example>
    public string Generate(string prompt, int maxNewTokens, float temperature = 0f, int? seed = null) =>
        Generate(prompt, new GenerationOptions { MaxNewTokens = maxNewTokens, Temperature = temperature, Seed = seed });

    /// <summary>
    /// Generates text after <paramref name="prompt"/> as <paramref name="options"/> say and returns the prompt followed
    /// by the continuation; <paramref name="onText"/>, if given, receives each new piece of text as it comes.
    /// </summary>
    /// <example><code>model.Generate("And God said", new GenerationOptions { MaxNewTokens = 20 }, Console.Write);</code></example>
    public string Generate(string prompt, GenerationOptions options, Action<string>? onText = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var tok = RequireTokenizer();
        using var tokens = ToTokens(prompt);
        if (onText is not null)
        {
            var sofar = new List<int>();
            string shown = "";
            var user = options.OnTokens;
            options = options with
            {
                OnTokens = ids =>
                {
                    user?.Invoke(ids);
                    if (ids[0] < 0) return;
                    sofar.Add(ids[0]);
                    string text = tok.Decode(sofar.ToArray());
                    // A piece that ends inside a multi-byte character waits for the next token.
                    if (text.Length > shown.Length && text.StartsWith(shown, StringComparison.Ordinal) && !text.EndsWith('\uFFFD'))
                    {
                        onText(text[shown.Length..]);
                        shown = text;
                    }
                },
            };
        }
        using var output = Generate(tokens, options);
        // The BOS the tokenizer prepended is not part of the user's text.
        int skip = tok.BosTokenId is not null ? 1 : 0;
        var rest = NewTokens(output, (int)tokens.shape[1], options)[0];
        return tok.Decode(Ids(tokens).Skip(skip).Concat(rest).ToArray());
    }

    // Each row's new tokens, up to and including the one that stopped it.
    List<int>[] NewTokens(Tensor sequence, int promptLength, GenerationOptions options)
    {
        var stops = StopSet(options);
        using var cpu = sequence.cpu();
        var data = cpu.data<long>().ToArray();
        long width = sequence.shape[1];
        var result = new List<int>[sequence.shape[0]];
        for (int r = 0; r < result.Length; r++)
        {
            result[r] = new List<int>();
            for (long p = promptLength; p < width; p++)
            {
                int id = (int)data[r * width + p];
                result[r].Add(id);
                if (stops.Contains(id)) break;
            }
        }
        return result;
    }

    HashSet<int> StopSet(GenerationOptions options)
    {
        var stops = new HashSet<int>(options.StopTokens ?? []);
        if (options.StopAtEos)
        {
            int eos = Config.EosTokenId ?? Tokenizer?.EosTokenId
                ?? throw new InvalidOperationException("StopAtEos was asked for, but neither the config nor the tokenizer names an EOS token: give StopTokens instead.");
            stops.Add(eos);
        }
        return stops;
    }
}
