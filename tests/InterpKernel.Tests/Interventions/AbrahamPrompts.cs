using static TorchSharp.torch;

namespace InterpKernel.Tests.Interventions;

/// <summary>
/// The kjv-gpt2-2l model with the clean prompt, the corrupted prompt that swaps the first " Abraham" for " Jacob",
/// and the metric logit(" Isaac") − logit(" Jacob"). One per test class (hooks live on the model).
/// </summary>
public sealed class AbrahamPrompts : IDisposable
{
    public const string CleanText = "And Abraham said unto Isaac, Behold the fire. And Abraham said unto";
    public const string CorruptText = "And Jacob said unto Isaac, Behold the fire. And Abraham said unto";

    public AbrahamPrompts()
    {
        Model = HookedTransformer.FromPretrained(TestPaths.Models("kjv-gpt2-2l"));
        Clean = Model.ToTokens(CleanText).DetachFromDisposeScope();
        Corrupt = Model.ToTokens(CorruptText).DetachFromDisposeScope();
        Isaac = Model.ToSingleToken(" Isaac");
        Jacob = Model.ToSingleToken(" Jacob");
        Abraham = Model.ToSingleToken(" Abraham");
        Metric = Analysis.Metrics.LogitDiff(Isaac, Jacob);
    }

    public HookedTransformer Model { get; }
    public Tensor Clean { get; }
    public Tensor Corrupt { get; }
    public int Isaac { get; }
    public int Jacob { get; }
    public int Abraham { get; }
    public Func<Tensor, Tensor> Metric { get; }

    /// <summary>The position of the swapped token: BOS, "And", then " Abraham" / " Jacob".</summary>
    public const int SwappedPosition = 2;

    public void Dispose()
    {
        Clean.Dispose();
        Corrupt.Dispose();
        Model.Dispose();
    }
}
