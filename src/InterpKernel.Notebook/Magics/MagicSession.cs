using System.Runtime.CompilerServices;
using InterpKernel.Notebook.Hosting;

namespace InterpKernel.Notebook.Magics;

/// <summary>
/// What the magics of one host remember between cells: the current model, the last prompt that
/// <c>#!run</c> ran, and the steering scopes still attached. One session per host, dropped with it.
/// </summary>
internal sealed class MagicSession
{
    private static readonly ConditionalWeakTable<IKernelHost, MagicSession> Sessions = new();

    /// <summary>The session of <paramref name="host"/>, created on first use.</summary>
    public static MagicSession Of(IKernelHost host) => Sessions.GetValue(host, _ => new MagicSession());

    /// <summary>The model <c>#!model load</c> loaded last, or null.</summary>
    public HookedTransformer? Model { get; private set; }

    /// <summary>The variable the current model is bound to.</summary>
    public string? ModelVariable { get; private set; }

    /// <summary>The prompt of the last <c>#!run</c>, or null.</summary>
    public string? LastPrompt { get; set; }

    /// <summary>Steering hooks attached by <c>#!steer</c>, removed by <c>#!steer clear</c> or <c>#!hooks clear</c>.</summary>
    public List<(string Description, IDisposable Scope)> Steering { get; } = [];

    /// <summary>Makes <paramref name="model"/> the current model, bound to <paramref name="variable"/>.</summary>
    public void UseModel(HookedTransformer model, string variable)
    {
        Model = model;
        ModelVariable = variable;
        LastPrompt = null;
    }

    /// <summary>
    /// The current model: the value of the remembered variable when a C# cell reassigned it to another model,
    /// else the loaded one.
    /// </summary>
    /// <exception cref="MagicCommandException">No model was loaded.</exception>
    public HookedTransformer RequireModel(IKernelHost host, string magic)
    {
        if (ModelVariable is not null && host.TryGetVariable(ModelVariable, out var value) && value is HookedTransformer bound)
        {
            if (!ReferenceEquals(bound, Model)) LastPrompt = null;
            Model = bound;
            return bound;
        }

        return Model ?? throw new MagicCommandException(
            $"{MagicDispatcher.Prefix}{magic} needs a model: load one first, for example {MagicDispatcher.Prefix}model load models/kjv-gpt2-2l");
    }

    /// <summary>Removes every steering hook this session attached; returns how many there were.</summary>
    public int ClearSteering()
    {
        var count = Steering.Count;
        foreach (var (_, scope) in Steering) scope.Dispose();
        Steering.Clear();
        return count;
    }
}
