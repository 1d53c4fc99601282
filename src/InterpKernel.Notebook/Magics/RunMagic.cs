using System.CommandLine;
using InterpKernel.Notebook.Hosting;
using InterpKernel.Notebook.Views;

namespace InterpKernel.Notebook.Magics;

/// <summary>
/// <c>#!run "&lt;prompt&gt;" [--names &lt;substring&gt;]</c>: runs the current model with
/// <see cref="HookedTransformer.RunWithCache(TorchSharp.torch.Tensor, System.Func{string, bool}, int?, int?, TorchSharp.torch.Tensor)"/> (with the hooks of an SAE that <c>#!sae load --splice</c> put in), binds <c>logits</c>, <c>cache</c> and <c>tokens</c>, and shows the
/// five most likely next tokens at every position.
/// </summary>
public static class RunMagic
{
    private const string Name = "run";

    private static readonly Argument<string> Prompt = new("prompt")
    {
        Description = "The text to run, in double quotes; the BOS token is prepended.",
    };

    private static readonly Option<string?> Names = new("--names")
    {
        Description = "Cache only the hooks whose names contain this text, such as hook_pattern or blocks.1.",
    };

    /// <summary>The parsed arguments of one <c>#!run</c> line.</summary>
    /// <param name="Prompt">The text to run.</param>
    /// <param name="NamesFilter">The substring a cached hook name must contain, or null for all hooks.</param>
    internal sealed record Arguments(string Prompt, string? NamesFilter);

    /// <summary>The magic command registration.</summary>
    public static MagicCommand Create() => new(
        Name,
        "Runs a prompt, binds logits, cache and tokens, and shows the top-5 next tokens.",
        () => new Command(Name, "Runs a prompt through the current model with an activation cache.") { Prompt, Names },
        Run);

    internal static Arguments Parse(ParseResult parse, IKernelHost host)
    {
        var names = parse.GetValue(Names);
        if (names is { Length: 0 })
        {
            throw MagicErrors.Usage(host, Name, "--names is empty: give part of a hook name, such as hook_pattern.");
        }

        return new Arguments(parse.GetValue(Prompt)!, names);
    }

    private static Task Run(ParseResult parse, IKernelHost host, CancellationToken cancellationToken)
    {
        var args = Parse(parse, host);
        var session = MagicSession.Of(host);
        var model = session.RequireModel(host, Name);
        // A spliced SAE's hook points are cached alongside the model's.
        var sae = session.Sae is { } splice && ReferenceEquals(splice.Model, model) ? splice : null;
        var names = sae is null ? model.HookNames : model.HookNames.Concat(sae.Sae.HookNames).ToList();
        Func<string, bool>? filter = null;
        if (args.NamesFilter is { } part)
        {
            filter = n => n.Contains(part, StringComparison.Ordinal);
            if (!names.Any(filter))
            {
                var near = HookNames.Nearest(part, names);
                throw MagicErrors.Usage(host, Name,
                    $"no hook name of the model contains '{part}'. Hook names look like {string.Join(", ", near.Select(n => $"'{n}'"))}.");
            }
        }

        return MagicErrors.Guard(host, Name, () =>
        {
            var tokens = MagicPrompt.Tokens(host, Name, model, args.Prompt);
            var (logits, cache) = sae is null ? model.RunWithCache(tokens, filter) : sae.RunWithCache(tokens, filter);
            session.LastPrompt = args.Prompt;
            host.SetVariable("logits", logits);
            host.SetVariable("cache", cache);
            host.SetVariable("tokens", tokens);
            var strTokens = model.ToStrTokens(tokens);
            host.Display(TopKTokensView.FromLogits(logits, strTokens, MagicPrompt.Decoder(model), 5) with
            {
                Title = $"Top-5 next tokens ({cache.Keys.Count} activations cached)",
            });
        });
    }
}
