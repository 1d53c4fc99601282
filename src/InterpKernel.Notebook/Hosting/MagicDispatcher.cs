using System.CommandLine;
using System.CommandLine.Help;
using System.Text;

namespace InterpKernel.Notebook.Hosting;

/// <summary>
/// Parses <c>#!name args...</c> lines against the registered magic commands and runs their handlers.
/// </summary>
public sealed class MagicDispatcher
{
    /// <summary>The prefix that marks a magic command line.</summary>
    public const string Prefix = "#!";

    private readonly Dictionary<string, (MagicCommand Magic, Command Grammar)> _commands = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    /// <summary>The registered magic commands, sorted by name.</summary>
    public IReadOnlyList<MagicCommand> Commands
    {
        get
        {
            lock (_gate)
            {
                return _commands.Values.Select(c => c.Magic).OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
            }
        }
    }

    /// <summary>True when the line (ignoring leading whitespace) is a magic command line.</summary>
    /// <param name="line">One line of a cell.</param>
    public static bool IsMagicLine(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return line.TrimStart().StartsWith(Prefix, StringComparison.Ordinal);
    }

    /// <summary>Registers a magic command; a later registration of the same name replaces the earlier one.</summary>
    /// <param name="magic">The command to register.</param>
    public void Register(MagicCommand magic)
    {
        ArgumentNullException.ThrowIfNull(magic);
        if (string.IsNullOrWhiteSpace(magic.Name) || magic.Name.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"Magic command name '{magic.Name}' is not valid: use one word without spaces.", nameof(magic));
        }

        var grammar = magic.BuildCommand();
        if (!grammar.Options.OfType<HelpOption>().Any())
        {
            grammar.Options.Add(new HelpOption());
        }

        if (magic.Name is not ("help" or "model") && !grammar.Options.Any(o => o.Name == Magics.MagicSession.ModelOptionName))
        {
            grammar.Options.Add(Magics.MagicSession.CreateModelOption());
        }

        if (grammar.Name != magic.Name)
        {
            throw new ArgumentException(
                $"Magic command '{magic.Name}' builds a command named '{grammar.Name}': give the command the same name.", nameof(magic));
        }

        lock (_gate)
        {
            _commands[magic.Name] = (magic, grammar);
        }
    }

    /// <summary>The usage text of one command, as System.CommandLine renders it.</summary>
    /// <param name="name">The magic name without <c>#!</c>.</param>
    /// <exception cref="MagicCommandException">No magic of that name is registered.</exception>
    public string GetUsage(string name)
    {
        var grammar = Find(name).Grammar;
        using var writer = new StringWriter();
        grammar.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = writer, Error = writer });
        return writer.ToString().TrimEnd();
    }

    /// <summary>The option names and aliases one magic accepts (such as <c>--model</c>), sorted; empty for an unknown name.</summary>
    /// <param name="name">The magic name without <c>#!</c>.</param>
    public IReadOnlyList<string> GetOptionNames(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            if (!_commands.TryGetValue(name, out var found))
            {
                return [];
            }

            return found.Grammar.Options
                .SelectMany(o => o.Aliases.Prepend(o.Name))
                .Where(n => n.StartsWith('-'))
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .ToList();
        }
    }

    /// <summary>One line per registered command: <c>#!name  description</c>.</summary>
    public string DescribeAll()
    {
        var commands = Commands;
        if (commands.Count == 0)
        {
            return "No magic commands are registered.";
        }

        var width = commands.Max(c => c.Name.Length) + Prefix.Length + 2;
        var text = new StringBuilder("Magic commands (#!help <name> shows one command's options):\n");
        foreach (var magic in commands)
        {
            text.Append("  ").Append((Prefix + magic.Name).PadRight(width)).Append(magic.Description).Append('\n');
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>Parses one magic line and runs its handler.</summary>
    /// <param name="line">The line, starting with <c>#!</c>.</param>
    /// <param name="host">The host the handler works with.</param>
    /// <param name="cancellationToken">Cancelled when the cell is interrupted.</param>
    /// <exception cref="MagicCommandException">The name is unknown or the arguments do not parse.</exception>
    public Task InvokeAsync(string line, IKernelHost host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(host);
        var trimmed = line.Trim();
        if (!trimmed.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{line}' is not a magic command line: magic lines start with {Prefix}.", nameof(line));
        }

        var tokens = Tokenize(trimmed[Prefix.Length..]);
        if (tokens.Count == 0)
        {
            throw new MagicCommandException($"'{trimmed}' names no magic command.\n\n{DescribeAll()}");
        }

        var (magic, grammar) = Find(tokens[0]);
        var parse = grammar.Parse(tokens.Skip(1).ToList());
        if (parse.Errors.Count > 0)
        {
            var errors = string.Join("\n", parse.Errors.Select(e => "  " + e.Message));
            throw new MagicCommandException(
                $"{Prefix}{magic.Name}: the arguments do not parse:\n{errors}\n\n{GetUsage(magic.Name)}");
        }

        if (parse.Action is HelpAction)
        {
            // The usage of the command the line reached, so that a subcommand's --help shows the subcommand's options.
            using var writer = new StringWriter();
            parse.Invoke(new InvocationConfiguration { Output = writer, Error = writer });
            host.Out.WriteLine(writer.ToString().TrimEnd());
            return Task.CompletedTask;
        }

        return Magics.MagicSession.Of(host).WithChosenModel(parse, () => magic.Handler(parse, host, cancellationToken));
    }

    // Splits on whitespace; double quotes group words, a backslash escapes a quote inside them.
    private static List<string> Tokenize(string line)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        var any = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '\\' && i + 1 < line.Length && line[i + 1] == '"')
            {
                current.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (char.IsWhiteSpace(c) && !quoted)
            {
                if (any || current.Length > 0)
                {
                    tokens.Add(current.ToString());
                }

                current.Clear();
                any = false;
            }
            else
            {
                current.Append(c);
            }
        }

        if (quoted)
        {
            throw new MagicCommandException($"'{Prefix}{line}' has an unclosed double quote.");
        }

        if (any || current.Length > 0)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }

    private (MagicCommand Magic, Command Grammar) Find(string name)
    {
        lock (_gate)
        {
            if (_commands.TryGetValue(name, out var found))
            {
                return found;
            }
        }

        throw new MagicCommandException($"Unknown magic command '{Prefix}{name}'.\n\n{DescribeAll()}");
    }
}
