using System.CommandLine;
using InterpKernel.Analysis;
using InterpKernel.Hub;
using InterpKernel.Notebook.Hosting;
using InterpKernel.Notebook.Views;
using Microsoft.Data.Analysis;

namespace InterpKernel.Notebook.Magics;

/// <summary>
/// <c>#!sae load &lt;folder-or-repo&gt; [--sae-id &lt;folder in repo&gt;] [--name sae] [--splice] [--error-term]</c>: loads a
/// SAELens-layout sparse autoencoder with <c>SparseAutoencoder.Load</c> onto the current model's device, binds
/// it, and with <c>--splice</c> runs it inside the model (<see cref="HookedTransformer.WithSae"/>) until
/// <c>#!sae remove</c>.
/// </summary>
public static class SaeMagic
{
    private const string Name = "sae";

    private static readonly Argument<string> Action = new("action")
    {
        Description = "load: load an SAE; remove: take the spliced SAE out of the model.",
    };

    private static readonly Argument<string?> Source = new("folder-or-repo")
    {
        Description = "A folder holding cfg.json and sae_weights.safetensors, or a Hugging Face repository id.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<string?> SaeId = new("--sae-id")
    {
        Description = "For a repository: the folder inside it that holds the SAE, such as blocks.1.hook_resid_pre.",
    };

    private static readonly Option<string> VariableName = new("--name")
    {
        Description = "The variable the SAE is bound to.",
        DefaultValueFactory = _ => "sae",
    };

    private static readonly Option<bool> Splice = new("--splice")
    {
        Description = "Run the SAE inside the model at its hook until #!sae remove; its hooks then show in caches.",
    };

    private static readonly Option<bool> ErrorTerm = new("--error-term")
    {
        Description = "With --splice, add the reconstruction error back so the model's output is unchanged.",
    };

    static SaeMagic()
    {
        Action.AcceptOnlyFromAmong("load", "remove");
    }

    /// <summary>The parsed arguments of one <c>#!sae</c> line.</summary>
    /// <param name="Action"><c>load</c> or <c>remove</c>.</param>
    /// <param name="Source">The folder or repository id.</param>
    /// <param name="SaeId">The SAE's folder inside a repository.</param>
    /// <param name="VariableName">The variable to bind.</param>
    /// <param name="Splice">Whether to splice the SAE into the model.</param>
    /// <param name="ErrorTerm">Whether the splice keeps the reconstruction error.</param>
    internal sealed record Arguments(string Action, string? Source, string? SaeId, string VariableName, bool Splice, bool ErrorTerm);

    /// <summary>The magic command registration.</summary>
    public static MagicCommand Create() => new(
        Name,
        "Loads a sparse autoencoder (#!sae load <folder-or-repo>), optionally spliced into the model.",
        () => new Command(Name, "Loads a SAELens-layout sparse autoencoder for the current model, or takes a spliced one out.")
        {
            Action, Source, SaeId, VariableName, Splice, ErrorTerm,
        },
        Run);

    internal static Arguments Parse(ParseResult parse, IKernelHost host)
    {
        var args = new Arguments(parse.GetValue(Action)!, parse.GetValue(Source), parse.GetValue(SaeId), parse.GetValue(VariableName)!,
            parse.GetValue(Splice), parse.GetValue(ErrorTerm));
        if (args.Action == "load" && string.IsNullOrWhiteSpace(args.Source))
        {
            throw MagicErrors.Usage(host, Name, "load needs the SAE's folder or a Hugging Face repository id, for example #!sae load saes/kjv-2l-resid-pre-1");
        }

        if (args.Action == "remove" && (args.Source is not null || args.Splice || args.SaeId is not null))
        {
            throw MagicErrors.Usage(host, Name, "remove takes no folder or options: it takes out the SAE that #!sae load --splice put in.");
        }

        if (args.ErrorTerm && !args.Splice)
        {
            throw MagicErrors.Usage(host, Name, "--error-term only applies with --splice.");
        }

        if (!MagicNames.IsIdentifier(args.VariableName))
        {
            throw MagicErrors.Usage(host, Name, $"'{args.VariableName}' is not a valid C# variable name: use letters, digits and underscores, not starting with a digit.");
        }

        return args;
    }

    private static Task Run(ParseResult parse, IKernelHost host, CancellationToken cancellationToken)
    {
        var args = Parse(parse, host);
        var session = MagicSession.Of(host);
        if (args.Action == "remove")
        {
            host.Out.WriteLine(session.RemoveSae() is { } removed ? $"Took the SAE at {removed} out of the model." : "No SAE was spliced in.");
            return Task.CompletedTask;
        }

        var model = session.RequireModel(host, Name);
        return MagicErrors.Guard(host, Name, async () =>
        {
            var folder = await ResolveFolder(args, cancellationToken).ConfigureAwait(false);
            var sae = SparseAutoencoder.Load(folder, model.Device, model.Dtype);
            var c = sae.Config;
            model.GetHookPoint(c.HookName); // an SAE for a hook this model lacks fails here, naming the nearest hooks
            host.SetVariable(args.VariableName, sae);
            if (args.Splice)
            {
                session.UseSae(model.WithSae(sae, args.ErrorTerm));
            }

            (string Property, string Value)[] rows =
            [
                ("architecture", $"{c.Architecture}"), ("hook", c.HookName), ("d_in", $"{c.DIn}"), ("d_sae", $"{c.DSae}"),
                ("k", c.K?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"), ("apply_b_dec_to_input", $"{c.ApplyBDecToInput}"),
                ("spliced", args.Splice ? (args.ErrorTerm ? "yes, with the error term" : "yes") : "no"), ("folder", folder),
            ];
            host.Out.WriteLine($"Loaded an SAE for {c.HookName} as '{args.VariableName}'.");
            host.Display(DataFrameView.From(new DataFrame(
                new StringDataFrameColumn("property", rows.Select(r => r.Property)),
                new StringDataFrameColumn("value", rows.Select(r => r.Value))), rows.Length));
        });
    }

    // A local folder as given; a repository id is fetched into the Hugging Face cache, one SAE folder of it.
    private static async Task<string> ResolveFolder(Arguments args, CancellationToken cancellationToken)
    {
        var source = args.Source!;
        if (Directory.Exists(source) || !HubClient.LooksLikeRepoId(source)) return source;
        var prefix = string.IsNullOrEmpty(args.SaeId) ? "" : args.SaeId.TrimEnd('/') + "/";
        using var client = new HubClient(HubOptions.FromEnvironment());
        var config = await client.DownloadFileAsync(source, prefix + SparseAutoencoder.ConfigFileName, ct: cancellationToken).ConfigureAwait(false);
        await client.DownloadFileAsync(source, prefix + SparseAutoencoder.WeightsFileName, ct: cancellationToken).ConfigureAwait(false);
        return Path.GetDirectoryName(config)!;
    }
}
