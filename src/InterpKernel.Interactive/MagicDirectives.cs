using System.CommandLine;
using System.Reflection;
using InterpKernel.Notebook.Hosting;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Directives;

namespace InterpKernel.Interactive;

/// <summary>
/// Turns each magic command of a <see cref="MagicDispatcher"/> into a .NET Interactive directive with the same name,
/// description and options. The directive only forwards its line: parsing, validation, usage text and the work all
/// stay in the dispatcher and the magic, so both hosts run the same implementation.
/// </summary>
internal static class MagicDirectives
{
    private static readonly string[] HelpNames = ["--help", "-h", "-?"];

    /// <summary>Adds one directive per registered magic to <paramref name="kernel"/>; returns the directive names.</summary>
    public static IReadOnlyList<string> AddTo(Kernel kernel, IKernelHost host)
    {
        var names = new List<string>();
        foreach (var magic in host.Magics.Commands)
        {
            var directive = ToDirective(magic);
            kernel.AddDirective(directive, (command, context) => InvokeAsync(host, command, context));
            names.Add(directive.Name);
        }

        return names;
    }

    /// <summary>
    /// The directive of one magic: every option name and alias as a parameter (a subcommand's too, such as those of
    /// <c>#!circuit graph</c>), flags for boolean options.
    /// </summary>
    internal static KernelActionDirective ToDirective(MagicCommand magic)
    {
        var grammar = magic.BuildCommand();
        var directive = new KernelActionDirective(MagicDispatcher.Prefix + magic.Name, Describe(magic, grammar));
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var option in grammar.Options.Concat(grammar.Subcommands.SelectMany(c => c.Options)))
        {
            var flag = option.ValueType == typeof(bool);
            var repeats = option.Arity.MaximumNumberOfValues > 1 || option.AllowMultipleArgumentsPerToken;
            foreach (var name in new[] { option.Name }.Concat(option.Aliases).Where(taken.Add))
            {
                directive.Parameters.Add(new KernelDirectiveParameter(name, option.Description)
                {
                    Flag = flag,
                    MaxOccurrences = repeats ? 64 : 1,
                });
            }
        }

        foreach (var name in HelpNames.Where(taken.Add))
        {
            directive.Parameters.Add(new KernelDirectiveParameter(name, "Show the options of this command.") { Flag = true });
        }

        return directive;
    }

    // The one-line description, then the positional arguments (the directive grammar declares only named ones).
    private static string Describe(MagicCommand magic, Command grammar)
    {
        var arguments = grammar.Arguments.Select(a => $"<{a.Name}>: {a.Description}").ToList();
        return arguments.Count == 0 ? magic.Description : $"{magic.Description} Arguments: {string.Join("; ", arguments)}";
    }

    private static async Task InvokeAsync(IKernelHost host, KernelCommand command, KernelInvocationContext context)
    {
        var line = DirectiveText(command);
        try
        {
            await host.Magics.InvokeAsync(line, host, context.CancellationToken).ConfigureAwait(false);
        }
        catch (MagicCommandException e)
        {
            // A bad argument fails the cell with the usage; the kernel goes on.
            context.Fail(command, message: e.Message);
        }
        finally
        {
            host.Out.Flush();
            host.Error.Flush();
        }
    }

    // The host hands the directive's syntax node to the handler only on a command type it does not make public.
    private static string DirectiveText(KernelCommand command)
    {
        var node = command.GetType().GetProperty("DirectiveNode", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)?.GetValue(command);
        var text = node?.GetType().GetProperty("Text")?.GetValue(node) as string;
        if (text is null)
        {
            const string prefix = "Directive: ";
            var described = command.ToString() ?? "";
            text = described.StartsWith(prefix, StringComparison.Ordinal) ? described[prefix.Length..] : described;
        }

        return text.Trim();
    }
}
