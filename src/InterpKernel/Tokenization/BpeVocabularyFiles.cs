using System.Text.Json;

namespace InterpKernel.Tokenization;

/// <summary>
/// Reads GPT-2's vocab.json + merges.txt pair into a byte-level BPE tokenizer.
/// </summary>
internal static class BpeVocabularyFiles
{
    /// <summary>GPT-2's one special token; Hugging Face's GPT-2 tokenizer uses it as BOS, EOS and UNK by default.</summary>
    public const string EndOfText = "<|endoftext|>";

    public static TokenizerBackend Load(string vocabPath, string mergesPath, SpecialTokenSettings settings)
    {
        var vocab = ReadVocabulary(vocabPath);
        var merges = ReadMerges(mergesPath, vocab);
        var specials = SpecialTokenResolver.Resolve(
            token => vocab.TryGetValue(token, out var id) ? id : null,
            settings,
            [EndOfText]);
        return new ByteLevelBpeBackend(
            vocab,
            merges,
            specials,
            [SplitPreTokenizer.Gpt2Pattern],
            normalizer: null,
            $"byte-level BPE tokenizer from {Path.GetFileName(vocabPath)} + {Path.GetFileName(mergesPath)} in {Path.GetDirectoryName(vocabPath)}");
    }

    public static Dictionary<string, int> ReadVocabulary(string path)
    {
        try
        {
            var vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllBytes(path));
            if (vocab is null || vocab.Count == 0)
            {
                throw new InvalidDataException($"{path} holds no vocabulary; it should be a JSON object from token to id.");
            }

            return vocab;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(
                $"{path} is not a vocabulary: expected a JSON object from token to id ({e.Message}).", e);
        }
    }

    public static List<(string Left, string Right)> ReadMerges(string path, IReadOnlyDictionary<string, int> vocab)
    {
        var merges = new List<(string Left, string Right)>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            // The first line of GPT-2's file is a "#version: 0.2" header, not a merge.
            if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("#version", StringComparison.Ordinal)))
            {
                continue;
            }

            var parts = line.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                throw new InvalidDataException(
                    $"{path}, line {lineNumber}: \"{line}\" is not a merge; each line should be two tokens separated by one space.");
            }

            if (!vocab.ContainsKey(parts[0] + parts[1]))
            {
                throw new InvalidDataException(
                    $"{path}, line {lineNumber}: the merge \"{line}\" makes \"{parts[0] + parts[1]}\", which the vocabulary lacks; " +
                    "vocab.json and merges.txt must come from the same tokenizer.");
            }

            merges.Add((parts[0], parts[1]));
        }

        return merges;
    }
}
