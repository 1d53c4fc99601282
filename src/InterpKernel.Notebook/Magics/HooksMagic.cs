using System.CommandLine;
using InterpKernel.Notebook.Hosting;
using InterpKernel.Notebook.Views;
using Microsoft.Data.Analysis;

namespace InterpKernel.Notebook.Magics;

/// <summary>
/// <c>#!hooks list|clear</c>: lists the current model's hook points with how many hook functions each holds, or
/// removes every hook function (<see cref="HookedTransformer.ResetHooks"/>), steering and spliced SAEs included.
/// </summary>
public static class HooksMagic
{
    private const string Name = "hooks";

    private static readonly Argument<string> Action = new("action")
    {
        Description = "list: the hook points and their attached hook functions; clear: remove every hook function.",
    };

    static HooksMagic()
    {
        Action.AcceptOnlyFromAmong("list", "clear");
    }

    /// <summary>The parsed arguments of one <c>#!hooks</c> line.</summary>
    /// <param name="Action"><c>list</c> or <c>clear</c>.</param>
    internal sealed record Arguments(string Action);

    /// <summary>The magic command registration.</summary>
    public static MagicCommand Create() => new(
        Name,
        "Lists the current model's hook points (#!hooks list) or removes every hook (#!hooks clear).",
        () => new Command(Name, "Lists the hook points of the current model, or removes every hook function from them.") { Action },
        Run);

    internal static Arguments Parse(ParseResult parse) => new(parse.GetValue(Action)!);

    private static Task Run(ParseResult parse, IKernelHost host, CancellationToken cancellationToken)
    {
        var args = Parse(parse);
        var session = MagicSession.Of(host);
        var model = session.RequireModel(host, Name);
        var points = model.HookNames.Select(model.GetHookPoint).ToArray();
        var attached = points.Sum(p => p.HookCount);
        var pointsWithHooks = points.Count(p => p.HookCount > 0);
        if (args.Action == "clear")
        {
            var steering = session.ClearSteering();
            session.RemoveSae();
            model.ResetHooks();
            host.Out.WriteLine($"Removed {attached} hook function(s) from {pointsWithHooks} hook point(s), {steering} of them steering.");
            return Task.CompletedTask;
        }

        var frame = new DataFrame(
            new StringDataFrameColumn("hook", points.Select(p => p.Name)),
            new Int32DataFrameColumn("layer", points.Select(p => p.Layer)),
            new Int32DataFrameColumn("hooks attached", points.Select(p => (int?)p.HookCount)));
        host.Out.WriteLine($"{points.Length} hook points, {attached} hook function(s) attached.");
        foreach (var description in session.Steering) host.Out.WriteLine($"  steering: {description}");
        host.Display(DataFrameView.From(frame, points.Length));
        return Task.CompletedTask;
    }
}
