using InterpKernel.Tokenization;
using Xunit;

namespace InterpKernel.Tests.Tokenization;

/// <summary>What happens when a folder holds no tokenizer, or only part of one.</summary>
public class TokenizerDiscoveryTests
{
    [Fact]
    public void A_folder_without_tokenizer_files_is_reported_with_the_files_looked_for()
    {
        using var folder = new TempFolder();
        folder.WriteJson("config.json", new Dictionary<string, object> { ["bos_token_id"] = 0 });

        var error = Assert.Throws<TokenizerNotFoundException>(() => ModelTokenizer.FromFolder(folder.Path));

        Assert.Contains(folder.Path, error.Message);
        Assert.Contains("tokenizer.json", error.Message);
        Assert.Contains("vocab.json + merges.txt", error.Message);
        Assert.Contains("tokenizer.model", error.Message);
        Assert.Equal(folder.Path, error.FileName);
        Assert.IsAssignableFrom<FileNotFoundException>(error);
    }

    [Fact]
    public void Try_from_folder_returns_the_reason_instead_of_throwing()
    {
        using var folder = new TempFolder();

        Assert.False(ModelTokenizer.TryFromFolder(folder.Path, out var tokenizer, out var whyNot));

        Assert.Null(tokenizer);
        Assert.NotNull(whyNot);
        Assert.Contains("No tokenizer files in " + folder.Path, whyNot);
    }

    [Fact]
    public void Try_from_folder_gives_the_tokenizer_of_a_model_folder()
    {
        Assert.True(ModelTokenizer.TryFromFolder(TestPaths.Models("kjv-gpt2-4l"), out var tokenizer, out var whyNot));

        Assert.Null(whyNot);
        Assert.Equal(new[] { 15496, 11, 995, 0 }, tokenizer!.Encode("Hello, world!", prependBos: false));
    }

    [Fact]
    public void Half_of_a_vocab_json_and_merges_txt_pair_is_named_in_the_message()
    {
        using var folder = new TempFolder();
        folder.WriteJson("vocab.json", new Dictionary<string, int> { ["a"] = 0 });

        var error = Assert.Throws<TokenizerNotFoundException>(() => ModelTokenizer.FromFolder(folder.Path));

        Assert.Contains("merges.txt is missing", error.Message);
    }

    [Fact]
    public void A_folder_that_does_not_exist_is_named_in_the_message()
    {
        var missing = Path.Combine(Path.GetTempPath(), "interpkernel-no-such-model-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<TokenizerNotFoundException>(() => ModelTokenizer.FromFolder(missing));

        Assert.Contains(missing, error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void An_empty_folder_path_is_an_argument_error()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelTokenizer.FromFolder(" "));

        Assert.Equal("folder", error.ParamName);
    }

    [Fact]
    public void A_malformed_tokenizer_json_names_the_file()
    {
        using var folder = new TempFolder();
        var path = folder.Write("tokenizer.json", "{ not json");

        var error = Assert.Throws<InvalidDataException>(() => ModelTokenizer.FromFolder(folder.Path));

        Assert.Contains(path, error.Message);
        Assert.Contains("not valid JSON", error.Message);
    }
}
