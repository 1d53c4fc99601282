namespace InterpKernel.Tests.Core;

/// <summary>One shared kjv-gpt2-2l instance per test class (loading is cheap, but not free).</summary>
public sealed class Gpt2Fixture : IDisposable
{
    /// <summary>The embedded two-layer model.</summary>
    public HookedTransformer Model { get; } = HookedTransformer.FromPretrained(TestPaths.Models("kjv-gpt2-2l"));

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}
