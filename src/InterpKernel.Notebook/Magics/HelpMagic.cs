using System.CommandLine;
using InterpKernel.Notebook.Hosting;

namespace InterpKernel.Notebook.Magics;

/// <summary><c>#!help [name]</c>: lists the magic commands, or shows one command's options.</summary>
public static class HelpMagic
{
    private static readonly Argument<string?> CommandName = new("name")
    {
        Description = "A magic command to describe (without #!); all commands are listed when omitted.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    /// <summary>The magic command registration.</summary>
    public static MagicCommand Create() => new(
        "help",
        "Lists the magic commands, or shows the options of one.",
        () => new Command("help", "Lists the magic commands, or shows the options of one.") { CommandName },
        Run);

    private static Task Run(ParseResult parse, IKernelHost host, CancellationToken cancellationToken)
    {
        var name = parse.GetValue(CommandName);
        var text = string.IsNullOrEmpty(name) ? host.Magics.DescribeAll() : host.Magics.GetUsage(name.TrimStart('#', '!'));
        host.Out.WriteLine(text);
        return Task.CompletedTask;
    }
}
