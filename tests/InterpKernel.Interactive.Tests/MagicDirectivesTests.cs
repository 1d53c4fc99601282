using InterpKernel.Notebook.Hosting;

namespace InterpKernel.Interactive.Tests;

public sealed class MagicDirectivesTests
{
    [Fact]
    public void Every_magic_becomes_a_directive_with_its_name_description_options_and_help()
    {
        var host = new ListingHost();
        NotebookExtension.Load(host);
        Assert.NotEmpty(host.Magics.Commands);
        foreach (var magic in host.Magics.Commands)
        {
            var directive = MagicDirectives.ToDirective(magic);
            var grammar = magic.BuildCommand();

            Assert.Equal(MagicDispatcher.Prefix + magic.Name, directive.Name);
            Assert.StartsWith(magic.Description, directive.Description, StringComparison.Ordinal);
            var parameters = directive.Parameters.ToDictionary(p => p.Name);
            foreach (var option in grammar.Options)
            {
                foreach (var name in option.Aliases.Append(option.Name))
                {
                    Assert.True(parameters.ContainsKey(name), $"{directive.Name} lacks {name}");
                    Assert.Equal(option.ValueType == typeof(bool), parameters[name].Flag);
                }
            }

            Assert.True(parameters["--help"].Flag);
            foreach (var argument in grammar.Arguments)
            {
                Assert.Contains($"<{argument.Name}>", directive.Description, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Boolean_options_are_flags_so_the_next_word_is_not_taken_as_their_value()
    {
        var host = new ListingHost();
        NotebookExtension.Load(host);
        var model = MagicDirectives.ToDirective(host.Magics.Commands.Single(m => m.Name == "model"));

        Assert.True(model.Parameters.Single(p => p.Name == "--no-process").Flag);
        Assert.False(model.Parameters.Single(p => p.Name == "--device").Flag);
    }

    [Fact]
    public void A_subcommand_s_options_are_parameters_of_the_directive_too()
    {
        var host = new ListingHost();
        NotebookExtension.Load(host);
        var circuit = MagicDirectives.ToDirective(host.Magics.Commands.Single(m => m.Name == "circuit"));

        var names = circuit.Parameters.Select(p => p.Name).ToList();
        Assert.Contains("--method", names);
        Assert.Contains("--transcoders", names);
        Assert.Contains("--max-nodes", names);
        Assert.Equal(names.Count, names.Distinct().Count());
    }
}
