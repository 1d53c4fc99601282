using System.CommandLine;
using InterpKernel.Notebook.Hosting;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Magics;

/// <summary>
/// <c>#!steer --hook &lt;name&gt; --direction &lt;variable&gt; --coef 4 [--persist]</c>: adds <c>coef × direction</c> to the
/// activation at a hook with <see cref="HookedTransformer.Steer"/>, for the rest of the cell, or with
/// <c>--persist</c> until <c>#!steer clear</c> (or <c>#!hooks clear</c>). The direction is a tensor variable of a
/// C# cell, <c>[d]</c> with <c>d</c> the activation's last dimension.
/// </summary>
public static class SteerMagic
{
    private const string Name = "steer";

    private static readonly Argument<string?> Action = new("action")
    {
        Description = "clear: remove every steering hook that #!steer added. Omit it to add one.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<string?> Hook = new("--hook")
    {
        Description = "The full hook name to steer, such as blocks.1.hook_resid_pre.",
    };

    private static readonly Option<string?> Direction = new("--direction")
    {
        Description = "The name of a C# variable holding the direction tensor [d].",
    };

    private static readonly Option<float> Coefficient = new("--coef")
    {
        Description = "How many times the direction to add.",
        DefaultValueFactory = _ => 1f,
    };

    private static readonly Option<bool> Persist = new("--persist")
    {
        Description = "Keep steering in later cells, until #!steer clear; without it steering ends with the cell.",
    };

    static SteerMagic()
    {
        Action.AcceptOnlyFromAmong("clear");
    }

    /// <summary>The parsed arguments of one <c>#!steer</c> line.</summary>
    /// <param name="Clear">Whether to remove the steering instead of adding it.</param>
    /// <param name="Hook">The hook to steer.</param>
    /// <param name="Variable">The variable holding the direction.</param>
    /// <param name="Direction">The direction.</param>
    /// <param name="Coefficient">The multiple of the direction to add.</param>
    /// <param name="Persist">Whether steering outlives the cell.</param>
    internal sealed record Arguments(bool Clear, string? Hook, string? Variable, Tensor? Direction, float Coefficient, bool Persist);

    /// <summary>The magic command registration.</summary>
    public static MagicCommand Create() => new(
        Name,
        "Adds a multiple of a direction to a hook's activation for the cell (#!steer clear removes steering).",
        () => new Command(Name, "Steers the current model: adds coef × direction at a hook, for the rest of the cell or, with --persist, until #!steer clear.")
        {
            Action, Hook, Direction, Coefficient, Persist,
        },
        Run);

    internal static Arguments Parse(ParseResult parse, IKernelHost host)
    {
        var clear = parse.GetValue(Action) is not null;
        var hook = parse.GetValue(Hook);
        var variable = parse.GetValue(Direction);
        if (clear)
        {
            if (hook is not null || variable is not null)
            {
                throw MagicErrors.Usage(host, Name, "clear takes no --hook or --direction: it removes every steering hook.");
            }

            return new Arguments(true, null, null, null, 0, false);
        }

        if (hook is null || variable is null)
        {
            throw MagicErrors.Usage(host, Name, $"steering needs {(hook is null ? "--hook" : "--direction")}: for example #!steer --hook blocks.1.hook_resid_pre --direction dir --coef 4");
        }

        if (!host.TryGetVariable(variable, out var value))
        {
            throw MagicErrors.Usage(host, Name, $"there is no variable '{variable}': define the direction in a C# cell first, for example var {variable} = SteeringVector.DiffOfMeans(...);");
        }

        if (value is not Tensor direction)
        {
            throw MagicErrors.Usage(host, Name, $"'{variable}' is a {value?.GetType().Name ?? "null"}, not a tensor: --direction needs a tensor [d].");
        }

        return new Arguments(false, hook, variable, direction, parse.GetValue(Coefficient), parse.GetValue(Persist));
    }

    private static Task Run(ParseResult parse, IKernelHost host, CancellationToken cancellationToken)
    {
        var args = Parse(parse, host);
        var session = MagicSession.Of(host);
        if (args.Clear)
        {
            host.Out.WriteLine($"Removed {session.ClearSteering()} steering hook(s).");
            return Task.CompletedTask;
        }

        var model = session.RequireModel(host, Name);
        return MagicErrors.Guard(host, Name, () =>
        {
            var scope = model.Steer(args.Hook!, args.Direction!, args.Coefficient);
            var description = $"{args.Coefficient} × {args.Variable} at {args.Hook}";
            session.AddSteering(host, model, description, scope, args.Persist);
            host.Out.WriteLine($"Steering {description} {(args.Persist ? "until #!steer clear" : "for the rest of this cell")}.");
        });
    }
}
