using System.Text;
using System.Text.Json;

namespace InterpKernel.Tokenization;

/// <summary>
/// Turns SentencePiece pieces back into text the way a Hugging Face tokenizer.json "decoder" says: a chain of steps
/// over the list of token strings (Replace, ByteFallback, Fuse, Strip, Metaspace), joined at the end. Added tokens go
/// through the chain like any other piece, so "&lt;s&gt;" followed by "▁Hello" decodes to "&lt;s&gt; Hello".
/// </summary>
internal sealed class SentencePieceDecoder
{
    public const string SupportedSteps = "Replace (of a string), ByteFallback, Fuse, Strip, Metaspace";

    private const char Metaspace = '\u2581';

    private readonly IReadOnlyList<Func<List<string>, List<string>>> _steps;

    private SentencePieceDecoder(IReadOnlyList<Func<List<string>, List<string>>> steps) => _steps = steps;

    /// <summary>
    /// What Hugging Face's converter writes for a SentencePiece model: "▁" becomes a space, byte pieces become their
    /// UTF-8 text, and the space of the dummy prefix, when the model adds one, is taken off the front.
    /// </summary>
    public static SentencePieceDecoder Conventional(bool stripDummyPrefix)
    {
        var steps = new List<Func<List<string>, List<string>>>
        {
            tokens => Replace(tokens, Metaspace.ToString(), " "),
            ByteFallback,
            Fuse,
        };
        if (stripDummyPrefix)
        {
            steps.Add(tokens => Strip(tokens, ' ', 1, 0));
        }

        return new SentencePieceDecoder(steps);
    }

    /// <summary>The decoder a tokenizer.json describes; a missing one is <see cref="Conventional"/>.</summary>
    public static SentencePieceDecoder FromJson(JsonElement? decoder, bool addsDummyPrefix, string path)
    {
        if (decoder is null)
        {
            return Conventional(addsDummyPrefix);
        }

        var steps = new List<Func<List<string>, List<string>>>();
        foreach (var step in Steps(decoder.Value))
        {
            var type = step.TryGetProperty("type", out var t) ? t.GetString() : null;
            steps.Add(type switch
            {
                "Replace" => ReplaceStep(step, path),
                "ByteFallback" => ByteFallback,
                "Fuse" => Fuse,
                "Strip" => StripStep(step, path),
                "Metaspace" => MetaspaceStep(step),
                _ => throw new NotSupportedException(
                    $"{path}: the decoder \"{type}\" is not supported with SentencePiece-style BPE (supported: {SupportedSteps})."),
            });
        }

        return new SentencePieceDecoder(steps);
    }

    public string Decode(IEnumerable<string> pieces)
    {
        var tokens = pieces.ToList();
        foreach (var step in _steps)
        {
            tokens = step(tokens);
        }

        return string.Concat(tokens);
    }

    private static IEnumerable<JsonElement> Steps(JsonElement decoder)
    {
        if (decoder.TryGetProperty("type", out var type) && type.GetString() == "Sequence"
            && decoder.TryGetProperty("decoders", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            return list.EnumerateArray().SelectMany(Steps).ToList();
        }

        return [decoder];
    }

    private static Func<List<string>, List<string>> ReplaceStep(JsonElement step, string path)
    {
        if (step.TryGetProperty("pattern", out var pattern) && pattern.ValueKind == JsonValueKind.Object
            && pattern.TryGetProperty("String", out var from) && from.GetString() is { Length: > 0 } text
            && step.TryGetProperty("content", out var to) && to.GetString() is { } content)
        {
            return tokens => Replace(tokens, text, content);
        }

        throw new NotSupportedException(
            $"{path}: a Replace decoder must replace a {{\"String\": ...}} pattern with a \"content\" string (regex patterns are not supported).");
    }

    private static Func<List<string>, List<string>> StripStep(JsonElement step, string path)
    {
        if (step.TryGetProperty("content", out var content) && content.GetString() is { Length: 1 } c)
        {
            var start = step.TryGetProperty("start", out var s) && s.TryGetInt32(out var startCount) ? startCount : 0;
            var stop = step.TryGetProperty("stop", out var e) && e.TryGetInt32(out var stopCount) ? stopCount : 0;
            return tokens => Strip(tokens, c[0], start, stop);
        }

        throw new NotSupportedException($"{path}: a Strip decoder must name one \"content\" character.");
    }

    // The Metaspace decoder turns the replacement character into spaces, except in the first token when the
    // pre-tokenizer put one there (a prepend scheme other than "never"), where it is dropped.
    private static Func<List<string>, List<string>> MetaspaceStep(JsonElement step)
    {
        var replacement = step.TryGetProperty("replacement", out var r) && r.GetString() is { Length: 1 } rs ? rs[0] : Metaspace;
        var scheme = step.TryGetProperty("prepend_scheme", out var p) ? p.GetString() : null;
        var prepends = scheme is null
            ? !step.TryGetProperty("add_prefix_space", out var a) || a.ValueKind != JsonValueKind.False
            : scheme != "never";
        return tokens => tokens.Select((token, i) => i == 0 && prepends
            ? token.Replace(replacement.ToString(), string.Empty, StringComparison.Ordinal)
            : token.Replace(replacement, ' ')).ToList();
    }

    private static List<string> Replace(List<string> tokens, string from, string to) =>
        tokens.Select(t => t.Replace(from, to, StringComparison.Ordinal)).ToList();

    private static List<string> Fuse(List<string> tokens) => [string.Concat(tokens)];

    /// <summary>Takes up to <paramref name="start"/> leading and <paramref name="stop"/> trailing copies of a character off each token.</summary>
    private static List<string> Strip(List<string> tokens, char content, int start, int stop) => tokens.Select(token =>
    {
        var from = 0;
        while (from < start && from < token.Length && token[from] == content)
        {
            from++;
        }

        var to = token.Length;
        while (token.Length - to < stop && to > from && token[to - 1] == content)
        {
            to--;
        }

        return token[from..to];
    }).ToList();

    /// <summary>
    /// Runs of byte pieces ("&lt;0xE6&gt;") become the text of their bytes; a run that is not valid UTF-8 becomes one
    /// U+FFFD per byte, as Hugging Face's ByteFallback decoder does.
    /// </summary>
    private static List<string> ByteFallback(List<string> tokens)
    {
        var output = new List<string>(tokens.Count);
        var bytes = new List<byte>();
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        void Flush()
        {
            if (bytes.Count == 0)
            {
                return;
            }

            try
            {
                output.Add(strict.GetString(bytes.ToArray()));
            }
            catch (DecoderFallbackException)
            {
                output.Add(new string('\uFFFD', bytes.Count));
            }

            bytes.Clear();
        }

        foreach (var token in tokens)
        {
            if (IsBytePiece(token, out var value))
            {
                bytes.Add(value);
            }
            else
            {
                Flush();
                output.Add(token);
            }
        }

        Flush();
        return output;
    }

    private static bool IsBytePiece(string token, out byte value)
    {
        value = 0;
        return token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
            && byte.TryParse(token.AsSpan(3, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out value);
    }
}
