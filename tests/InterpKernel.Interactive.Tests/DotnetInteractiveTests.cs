using System.Text.Json.Nodes;
using InterpKernel.Analysis;
using InterpKernel.Notebook.Hosting;
using Xunit.Abstractions;

namespace InterpKernel.Interactive.Tests;

/// <summary>
/// Runs one notebook in the real dotnet-interactive 1.0.712001 kernel under nbclient: it loads the packed extension,
/// uses TorchSharp, runs every magic the dispatcher lists, and checks what the front end receives.
/// </summary>
public sealed class DotnetInteractiveTests(ITestOutputHelper output) : IDisposable
{
    private const string Clean = "And Abraham said unto Isaac, Behold the fire. And Abraham said unto";
    private const string Corrupt = "And Jacob said unto Isaac, Behold the fire. And Abraham said unto";
    private const string Hook = "blocks.1.hook_resid_pre";

    private readonly string _scratch = Directory.CreateTempSubdirectory("interactive-test-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public void The_extension_runs_every_magic_in_dotnet_interactive_and_the_kernel_survives_a_bad_argument()
    {
        var model = Path.Combine(InteractiveHost.RepoRoot, "models", "kjv-gpt2-2l");
        var prompts = Path.Combine(_scratch, "prompts.txt");
        File.WriteAllLines(prompts, ["In the beginning God created the heaven and the earth.", "And God said, Let there be light: and there was light."]);
        var sae = Path.Combine(_scratch, "sae");
        using (var trained = SparseAutoencoder.Create(new SaeConfig(SaeArchitecture.Standard, 128, 256, Hook), seed: 3))
        {
            trained.Save(sae);
        }

        // The quickstart first: its F# cell loads the package from artifacts/nuget; every C# cell must run.
        var quickstart = QuickstartDib.CodeCells(InteractiveHost.Version);
        var cells = quickstart.Select((c, i) => (Source: c, Expect: i == 0 ? Expect.Text("InterpKernel: ") : Expect.Any)).ToList();
        cells.AddRange(new List<(string Source, Expect Expect)>
        {
            ("ones(2, 2).sum().item<float>()", Expect.Text("4")),
            ("#!help", Expect.Text("#!model")),
            ($"#!model load \"{model}\"", Expect.Text("Loaded")),
            ("#!model info", Expect.Html),
            ($"#!run \"{Clean}\"", Expect.Html),
            ("display(cache[\"pattern\", 1]);\ncache[\"pattern\", 1].shape", Expect.Html),
            ("#!attention --layer 1", Expect.Html),
            ($"#!logit-lens \"{Clean}\" --answer \" Isaac\"", Expect.Html),
            ("#!hooks list", Expect.Any),
            ($"#!patch --clean \"{Clean}\" --corrupt \"{Corrupt}\" --answer \" Isaac\" --wrong \" Jacob\"", Expect.Html),
            ("#!heads detect --seq-len 20 --batch 2 --seed 1", Expect.Html),
            ($"#!neurons --layer 1 --top 4 --examples 2 --prompts \"{prompts}\"", Expect.Html),
            ($"#!sae load \"{sae}\" --splice --error-term", Expect.Html),
            ("#!sae remove", Expect.Any),
            ("var dir = ones(128);", Expect.Any),
            ($"#!steer --hook {Hook} --direction dir --coef 4 --persist", Expect.Any),
            ("#!steer clear", Expect.Any),
            ("#!hooks clear", Expect.Any),
            ("#!attention --layer 99", Expect.Error("layer 99 does not exist")),
            ("#!run --help", Expect.Text("Usage:")),
            ("string.Join(\",\", new object[] { model, cache, logits, tokens, patching, sae }.Select(v => v.GetType().Name))", Expect.Text("HookedTransformer,ActivationCache,")),
            ("1 + 1", Expect.Text("2")),
        });

        // Magics added since this list was written still run: each shows its usage.
        var covered = cells.Select(c => c.Source).Where(s => s.StartsWith(MagicDispatcher.Prefix, StringComparison.Ordinal))
            .Select(s => s[MagicDispatcher.Prefix.Length..].Split(' ', 2)[0]).ToHashSet();
        foreach (var name in AllMagics().Where(n => !covered.Contains(n)))
        {
            cells.Insert(cells.Count - 2, ($"{MagicDispatcher.Prefix}{name} --help", Expect.Text("Usage:")));
        }

        var notebooks = Path.Combine(InteractiveHost.RepoRoot, "notebooks");
        var result = InteractiveHost.RunCells(cells.Select(c => c.Source).ToList(), notebooks, TimeSpan.FromMinutes(12));
        output.WriteLine($"{cells.Count} cells ran in one dotnet-interactive session in {result["seconds"]!.GetValue<double>():F1} s.");
        var ran = result["cells"]!.AsArray();
        Assert.Equal(cells.Count, ran.Count);
        foreach (var cell in ran)
        {
            var shown = Texts(cell!["outputs"]!.AsArray());
            output.WriteLine($"--- {cell["source"]}\n{(shown.Length > 400 ? shown[..400] + "..." : shown)}");
        }

        for (var i = 0; i < cells.Count; i++)
        {
            cells[i].Expect.Check(cells[i].Source, ran[i]!["outputs"]!.AsArray());
        }

        var loaded = Texts(ran[0]!["outputs"]!.AsArray());
        foreach (var name in AllMagics())
        {
            Assert.Contains(MagicDispatcher.Prefix + name, loaded);
        }
    }

    private static IReadOnlyList<string> AllMagics()
    {
        var host = new ListingHost();
        NotebookExtension.Load(host);
        return host.Magics.Commands.Select(m => m.Name).ToList();
    }

    private static string Texts(JsonArray outputs) => string.Join("\n", outputs.Select(o =>
        o!["output_type"]!.GetValue<string>() switch
        {
            "stream" => o["text"]!.GetValue<string>(),
            "error" => $"{o["ename"]}: {o["evalue"]}",
            _ => o["data"]?["text/plain"]?.GetValue<string>() ?? o["data"]?["text/html"]?.GetValue<string>() ?? "",
        }));

    /// <summary>What a cell must produce.</summary>
    private sealed record Expect(string Kind, string? Needle)
    {
        public static readonly Expect Any = new("any", null);
        public static readonly Expect Html = new("html", null);

        public static Expect Text(string needle) => new("text", needle);

        public static Expect Error(string needle) => new("error", needle);

        public void Check(string source, JsonArray outputs)
        {
            var errors = outputs.Where(o => o!["output_type"]!.GetValue<string>() == "error").ToList();
            var text = Texts(outputs);
            if (Kind == "error")
            {
                Assert.True(errors.Count > 0, $"'{source}' should fail, but produced: {text}");
                Assert.Contains(Needle!, text);
                Assert.Contains("Usage:", text);
                return;
            }

            Assert.True(errors.Count == 0, $"'{source}' failed: {text}");
            if (Kind == "text")
            {
                Assert.True(text.Contains(Needle!, StringComparison.Ordinal), $"'{source}' should show '{Needle}', but produced: {text}");
            }
            else if (Kind == "html")
            {
                var html = outputs.Select(o => o!["data"]?["text/html"]?.GetValue<string>()).OfType<string>().ToList();
                Assert.True(html.Count > 0, $"'{source}' should display HTML, but produced: {text}");
            }
        }
    }
}
