namespace InterpKernel.Tests.Reading;

/// <summary>One kjv-gpt2-2l per test class: tests in a class run one at a time, so their hooks never meet.</summary>
public sealed class Kjv2lFixture : IDisposable
{
    public HookedTransformer Model { get; } = HookedTransformer.FromPretrained(TestPaths.Models("kjv-gpt2-2l"));

    public void Dispose() => Model.Dispose();
}
