using InterpKernel.Notebook.Views;

namespace InterpKernel.Notebook.Tests.Magics;

/// <summary>The magics on every supported model family, through the small random checkpoints the core tests compare with Hugging Face.</summary>
public sealed class FamilyMagicTests
{
    public static TheoryData<string> Families => new(Directory.GetDirectories(FixtureRoot, "tiny-*").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    private static string FixtureRoot => Path.Combine(Path.GetDirectoryName(MagicModels.Kjv2l)!, "..", "tests", "InterpKernel.Tests", "Fixtures", "hf-reference");

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Model_load_then_head_detection_and_model_info_work_on_every_family(string family)
    {
        var host = new FakeKernelHost();
        var folder = Path.GetFullPath(Path.Combine(FixtureRoot, family));
        await host.Run($"#!model load \"{folder}\"");
        var model = host.Variable<HookedTransformer>("model");
        Assert.Contains($"as 'model': {model.Config.ModelType}, {model.Config.NLayers} layers", host.OutText.ToString());

        host.Displays.Clear();
        await host.Run("#!heads detect --seq-len 6 --batch 2 --seed 1");
        var views = host.Displays.Cast<PatchingHeatmapView>().ToArray();
        Assert.Equal(3, views.Length);
        Assert.All(views, v => Assert.Equal(model.Config.NLayers, v.RowLabels.Length));
        Assert.All(views, v => Assert.All(v.Values.SelectMany(r => r), x => Assert.True(float.IsFinite(x), $"{family}: a head score is not finite")));

        host.Displays.Clear();
        await host.Run("#!model info");
        Assert.IsType<DataFrameView>(Assert.Single(host.Displays));
    }
}
