using System.Runtime.CompilerServices;
using InterpKernel.Notebook.Hosting;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;

namespace InterpKernel.Interactive;

/// <summary>
/// The <see cref="IKernelHost"/> of a .NET Interactive C# kernel: displays go to the running command's
/// <see cref="KernelInvocationContext"/>, variables live in the C# kernel's script state, and each submitted cell
/// gets its own output writers (the magics tell cells apart by their writer).
/// </summary>
internal sealed class InteractiveKernelHost : IKernelHost
{
    private readonly CSharpKernel _csharp;
    private readonly ConditionalWeakTable<KernelCommand, CellWriters> _cells = new();
    private readonly CellWriters _outsideCells;

    public InteractiveKernelHost(CSharpKernel csharp)
    {
        _csharp = csharp;
        _outsideCells = new CellWriters();
    }

    /// <inheritdoc />
    public MagicDispatcher Magics { get; } = new();

    /// <inheritdoc />
    public TextWriter Out => Writers.Out;

    /// <inheritdoc />
    public TextWriter Error => Writers.Error;

    /// <inheritdoc />
    public CancellationToken CancellationToken => KernelInvocationContext.Current?.CancellationToken ?? CancellationToken.None;

    private CellWriters Writers
    {
        get
        {
            var command = KernelInvocationContext.Current?.Command;
            if (command is null)
            {
                return _outsideCells;
            }

            // The submitted cell is the root of the commands it was split into.
            while (command.Parent is { } parent)
            {
                command = parent;
            }

            return _cells.GetValue(command, _ => new CellWriters());
        }
    }

    /// <inheritdoc />
    public DisplayHandle Display(object? value, string? mimeType = null)
    {
        var context = KernelInvocationContext.Current ?? throw new InvalidOperationException(
            "display(...) was called while no cell is running: call it from the code of a cell.");
        Out.Flush();
        Error.Flush();
        var shown = mimeType is null
            ? KernelInvocationContextExtensions.Display(context, value!)
            : KernelInvocationContextExtensions.Display(context, value!, mimeType);
        return new DisplayHandle(shown.DisplayId, (_, v, m) =>
        {
            if (m is null)
            {
                shown.Update(v);
            }
            else
            {
                // A forced MIME type on update: send a new bundle under the same display id.
                if (KernelInvocationContext.Current is { } current)
                {
                    KernelInvocationContextExtensions.Display(current, v!, m);
                }
            }
        });
    }

    /// <inheritdoc />
    public void SetVariable(string name, object? value)
    {
        if (!MagicNamesAreIdentifiers(name))
        {
            throw new ArgumentException($"'{name}' is not a valid C# identifier: pick a variable name like 'model' or 'cache2'.", nameof(name));
        }

        // The kernel's own SetValueAsync cannot write nested type names (torch.Tensor): declare, then assign.
        var declaration = $"{CSharpTypeNames.Of(CSharpTypeNames.Nameable(value))} {name} = default;";
        _csharp.SendAsync(new SubmitCode(declaration)).GetAwaiter().GetResult();
        _csharp.ScriptState.GetVariable(name).Value = value;
    }

    /// <inheritdoc />
    public bool TryGetVariable(string name, out object? value) => _csharp.TryGetValue(name, out value);

    private static bool MagicNamesAreIdentifiers(string name) =>
        Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(name);

    // Writers of one submitted cell: text is sent as standard output/error of the command running when it is flushed.
    private sealed class CellWriters
    {
        public TextWriter Out { get; } = new ContextWriter(error: false);

        public TextWriter Error { get; } = new ContextWriter(error: true);
    }
}
