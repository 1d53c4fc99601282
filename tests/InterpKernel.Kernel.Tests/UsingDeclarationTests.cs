using System.Text.RegularExpressions;
using InterpKernel.Kernel.Execution;

namespace InterpKernel.Kernel.Tests;

/// <summary>Top-level <c>using var</c> in a cell declares a variable whose value is disposed when the cell ends.</summary>
public sealed partial class UsingDeclarationTests : IDisposable
{
    private readonly CellEngine _engine = new();

    public void Dispose() => _engine.Dispose();

    [Fact]
    public async Task A_using_var_is_usable_until_the_cell_ends_and_disposed_after()
    {
        var sink = await Run("using var t = torch.ones(3);\nvar n = t.sum().item<float>();\nn");

        Assert.Equal("3", Single(sink));
        Assert.Equal("True", Single(await Run("t.IsInvalid")));
    }

    [Fact]
    public async Task Several_declarators_and_an_explicit_type_are_all_disposed()
    {
        await Run("using var a = torch.ones(1), b = torch.ones(2);\nusing torch.Tensor c = torch.ones(3), d = c + 1;");

        Assert.Equal("True", Single(await Run("a.IsInvalid && b.IsInvalid && c.IsInvalid && d.IsInvalid")));
    }

    [Fact]
    public async Task A_cell_that_throws_still_disposes_its_using_declarations()
    {
        var sink = new RecordingSink();
        await _engine.ExecuteAsync("using var t = torch.ones(3);\nvar kept = t;\nthrow new InvalidOperationException(\"stop\");", sink);

        Assert.Contains("stop", Assert.Single(sink.Errors).Value);
        Assert.Equal("True", Single(await Run("kept.IsInvalid")));
    }

    [Fact]
    public async Task Using_directives_aliases_and_statements_are_left_alone()
    {
        var sink = await Run("using System.Text;\nusing Builder = System.Text.StringBuilder;\n" +
            "var text = new Builder(\"a\").Append(new StringBuilder(\"b\"));\nusing (var s = torch.ones(1)) { text.Append(s.shape[0]); }\ntext.ToString()");

        Assert.Equal("ab1", Single(sink));
    }

    [Fact]
    public async Task Errors_after_a_using_declaration_keep_their_line_numbers()
    {
        var sink = new RecordingSink();
        await _engine.ExecuteAsync("var x = 1;\nusing var a = torch.ones(1),\n    b = torch.ones(2);\nnotDeclared();", sink);

        Assert.Contains("(4,", Assert.Single(sink.Errors).Value);
    }

    [Fact]
    public async Task The_readmes_first_csharp_example_runs_in_a_cell()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(CellScopeTests.ModelPath)!, "..", "README.md"));
        var example = FirstCSharpBlock().Match(readme).Groups["code"].Value;
        Assert.Contains("using var model = HookedTransformer.FromPretrained(\"models/kjv-gpt2-2l\");", example);

        var sink = await Run(example.Replace("\"models/kjv-gpt2-2l\"", $"@\"{CellScopeTests.ModelPath}\"", StringComparison.Ordinal));

        Assert.Contains(" Isaac", sink.Stdout);
        Assert.Contains("And God said", sink.Stdout);
        Assert.Equal("True", Single(await Run("tokens.IsInvalid && ablated.IsInvalid")));
    }

    [GeneratedRegex("```csharp\\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex FirstCSharpBlock();

    private static string Single(RecordingSink sink) => Assert.Single(sink.Results)["text/plain"];

    private async Task<RecordingSink> Run(string cell)
    {
        var sink = new RecordingSink();
        await _engine.ExecuteAsync(cell, sink);
        Assert.True(sink.Errors.Count == 0, string.Join("\n", sink.Errors.Select(e => e.Value)));
        return sink;
    }
}
