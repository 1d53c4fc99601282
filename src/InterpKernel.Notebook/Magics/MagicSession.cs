using System.Runtime.CompilerServices;
using InterpKernel.Analysis;
using InterpKernel.Notebook.Hosting;

namespace InterpKernel.Notebook.Magics;

/// <summary>
/// What the magics of one host remember between cells: the current model, the last prompt that
/// <c>#!run</c> ran, and the steering scopes still attached. One session per host, dropped with it.
/// </summary>
internal sealed class MagicSession
{
    private static readonly ConditionalWeakTable<IKernelHost, MagicSession> Sessions = new();

    private IDisposable? _cellGuard;

    /// <summary>The session of <paramref name="host"/>, created on first use; steering of finished cells is removed first.</summary>
    public static MagicSession Of(IKernelHost host)
    {
        var session = Sessions.GetValue(host, _ => new MagicSession());
        session.EndFinishedCells(host);
        return session;
    }

    /// <summary>The model <c>#!model load</c> loaded last, or null.</summary>
    public HookedTransformer? Model { get; private set; }

    /// <summary>The variable the current model is bound to.</summary>
    public string? ModelVariable { get; private set; }

    /// <summary>The prompt of the last <c>#!run</c>, or null.</summary>
    public string? LastPrompt { get; set; }

    /// <summary>Steering hooks attached by <c>#!steer</c>, removed by <c>#!steer clear</c> or <c>#!hooks clear</c>.</summary>
    public IReadOnlyList<string> Steering => _steering.Select(s => s.Description).ToList();

    private readonly List<SteeringEntry> _steering = [];

    /// <summary>The SAE <c>#!sae load --splice</c> put into the model, kept until <see cref="RemoveSae"/>.</summary>
    public SaeScope? Sae { get; private set; }

    /// <summary>Keeps an SAE spliced into the model until <see cref="RemoveSae"/>, taking out any earlier one.</summary>
    public void UseSae(SaeScope splice)
    {
        RemoveSae();
        Sae = splice;
    }

    /// <summary>Takes the spliced SAE out; returns its hook name, or null when none was spliced in.</summary>
    public string? RemoveSae()
    {
        if (Sae is not { } sae) return null;
        sae.Dispose();
        Sae = null;
        return sae.Sae.Config.HookName;
    }

    /// <summary>
    /// Fails with a message about a missing folder when <paramref name="source"/> is meant as a local path and no such
    /// folder exists: it starts with <c>.</c>, <c>/</c> or <c>~</c>, or its first segment is a folder that exists here
    /// (<c>models/does-not-exist</c>), so that it is never mistaken for a Hugging Face model id.
    /// </summary>
    /// <exception cref="MagicCommandException">The local folder does not exist.</exception>
    public static void CheckLocalSource(string source)
    {
        var normalized = source.Replace('\\', '/');
        var firstSegment = normalized.Split('/')[0];
        var meantLocal = normalized.StartsWith('.') || normalized.StartsWith('/') || normalized.StartsWith('~')
            || (normalized.Contains('/') && firstSegment.Length > 0 && Directory.Exists(firstSegment));
        if (meantLocal && !Directory.Exists(source) && !File.Exists(source))
        {
            throw new MagicCommandException(
                $"No folder '{source}' (looked for {Path.GetFullPath(source)}): give the folder that holds config.json and the " +
                "weights, relative to the notebook's folder, or a Hugging Face model id such as gpt2.");
        }
    }

    /// <summary>Makes <paramref name="model"/> the current model, bound to <paramref name="variable"/>.</summary>
    public void UseModel(HookedTransformer model, string variable)
    {
        Model = model;
        ModelVariable = variable;
        LastPrompt = null;
    }

    /// <summary>The option every magic that works on a model takes to name the variable holding it.</summary>
    public const string ModelOptionName = "--model";

    private string? _chosenVariable;

    /// <summary>A fresh <c>--model &lt;variable&gt;</c> option (System.CommandLine options belong to one command each).</summary>
    internal static System.CommandLine.Option<string?> CreateModelOption() => new(ModelOptionName)
    {
        Description = "The variable that holds the model to use; by default the model the last #!model load bound, else the most recently declared one.",
        Recursive = true,
    };

    /// <summary>Runs one magic with the model its <c>--model</c> option names, if any, as the one <see cref="RequireModel"/> returns.</summary>
    internal async Task WithChosenModel(System.CommandLine.ParseResult parse, Func<Task> run)
    {
        var option = parse.RootCommandResult.Command.Options.OfType<System.CommandLine.Option<string?>>().FirstOrDefault(o => o.Name == ModelOptionName);
        _chosenVariable = option is null ? null : parse.GetValue(option);
        try
        {
            await run().ConfigureAwait(false);
        }
        finally
        {
            _chosenVariable = null;
        }
    }

    /// <summary>
    /// The current model: the variable <c>--model</c> names; else the value of the remembered variable when a C#
    /// cell reassigned it to another model, else the loaded one, else the most recently declared variable that holds
    /// a <see cref="HookedTransformer"/>.
    /// </summary>
    /// <exception cref="MagicCommandException">No model was loaded, or <c>--model</c> names a variable that holds none.</exception>
    public HookedTransformer RequireModel(IKernelHost host, string magic)
    {
        if (_chosenVariable is { } chosen)
        {
            // Only this magic uses it: the default for the next one stays as it was.
            if (host.TryGetVariable(chosen, out var named) && named is HookedTransformer model) return model;

            var holders = host.Variables().Where(v => v.Value is HookedTransformer).Select(v => v.Key).ToList();
            throw new MagicCommandException(
                $"{MagicDispatcher.Prefix}{magic} --model {chosen}: no variable '{chosen}' holds a model. " +
                (holders.Count == 0 ? "No variable holds one yet: load one with #!model load." : $"Variables holding a model: {string.Join(", ", holders)}."));
        }

        if (ModelVariable is not null && host.TryGetVariable(ModelVariable, out var value) && value is HookedTransformer bound)
        {
            if (!ReferenceEquals(bound, Model)) LastPrompt = null;
            Model = bound;
            return bound;
        }

        if (Model is null && host.Variables().LastOrDefault(v => v.Value is HookedTransformer) is { Value: HookedTransformer found } variable)
        {
            // A model the user loaded in C#, bound to any variable: the most recently declared one.
            UseModel(found, variable.Key);
            return found;
        }

        return Model ?? throw new MagicCommandException(
            $"{MagicDispatcher.Prefix}{magic} needs a model: load one first, for example {MagicDispatcher.Prefix}model load models/kjv-gpt2-2l");
    }

    /// <summary>
    /// Keeps a steering scope until <see cref="ClearSteering"/>, or, unless <paramref name="persist"/>, until the cell
    /// ends. A host gives each cell its own <see cref="IKernelHost.Out"/> writer, so a different writer means a later
    /// cell: steering is removed when the next magic runs or when the model's next forward pass starts, whichever
    /// comes first.
    /// </summary>
    public void AddSteering(IKernelHost host, HookedTransformer model, string description, IDisposable scope, bool persist)
    {
        _steering.Add(new SteeringEntry(description, scope, persist ? null : host.Out));
        if (!persist && _cellGuard is null)
        {
            // hook_embed fires first in every forward pass, before any hook that steering could be attached to.
            _cellGuard = model.GetHookPoint(HookNames.Of("embed")).Add((_, _) =>
            {
                EndFinishedCells(host);
                return null;
            });
        }
    }

    /// <summary>Removes every steering hook this session attached; returns how many there were.</summary>
    public int ClearSteering()
    {
        var count = _steering.Count;
        foreach (var entry in _steering) entry.Scope.Dispose();
        _steering.Clear();
        DropCellGuard();
        return count;
    }

    private void EndFinishedCells(IKernelHost host)
    {
        var finished = _steering.Where(s => s.Cell is not null && !ReferenceEquals(s.Cell, host.Out)).ToList();
        foreach (var entry in finished)
        {
            entry.Scope.Dispose();
            _steering.Remove(entry);
        }

        if (_steering.All(s => s.Cell is null)) DropCellGuard();
    }

    private void DropCellGuard()
    {
        _cellGuard?.Dispose();
        _cellGuard = null;
    }

    // Cell is the Out writer of the cell that added the steering, or null when it persists across cells.
    private sealed record SteeringEntry(string Description, IDisposable Scope, TextWriter? Cell);
}
