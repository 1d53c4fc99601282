using System.CommandLine;

namespace InterpKernel.Notebook.Hosting;

/// <summary>
/// A magic command (<c>#!name --option value</c>): its System.CommandLine grammar and the handler that
/// runs when a cell line parses against it. A magic only parses and calls public API.
/// </summary>
/// <param name="Name">The name after <c>#!</c>, for example <c>help</c>.</param>
/// <param name="Description">One line shown by <c>#!help</c>.</param>
/// <param name="BuildCommand">Builds the grammar: a <see cref="Command"/> named <paramref name="Name"/> with its options and arguments.</param>
/// <param name="Handler">Runs the command with the parse result, the host and the cell's cancellation token.</param>
public sealed record MagicCommand(
    string Name,
    string Description,
    Func<Command> BuildCommand,
    Func<ParseResult, IKernelHost, CancellationToken, Task> Handler);
