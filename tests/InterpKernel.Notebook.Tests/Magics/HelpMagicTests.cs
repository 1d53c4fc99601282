namespace InterpKernel.Notebook.Tests.Magics;

public sealed class HelpMagicTests
{
    [Fact]
    public async Task Help_lists_every_magic_command()
    {
        var host = new FakeKernelHost();
        await host.Run("#!help");

        var text = host.OutText.ToString();
        foreach (var name in new[] { "#!help", "#!model", "#!run", "#!attention", "#!logit-lens", "#!hooks" })
        {
            Assert.Contains(name, text);
        }
    }

    [Fact]
    public async Task Help_for_one_magic_shows_its_options()
    {
        var host = new FakeKernelHost();
        await host.Run("#!help attention");

        var text = host.OutText.ToString();
        Assert.Contains("--layer", text);
        Assert.Contains("--heads", text);
    }

    [Fact]
    public async Task An_unknown_magic_lists_the_known_ones()
    {
        var error = await new FakeKernelHost().Fails("#!atention --layer 1");
        Assert.Contains("Unknown magic command '#!atention'", error.Message);
        Assert.Contains("#!attention", error.Message);
    }
}
