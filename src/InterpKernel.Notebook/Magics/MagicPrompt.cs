using InterpKernel.Notebook.Hosting;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Magics;

/// <summary>Prompt handling shared by the magics: tokenising with checks, and token ids as text.</summary>
internal static class MagicPrompt
{
    /// <summary>
    /// Tokens <c>[1, pos]</c> of <paramref name="prompt"/> (with BOS), or of the last <c>#!run</c> when it is null.
    /// </summary>
    /// <exception cref="MagicCommandException">No prompt, an empty one, or a model without tokenizer.</exception>
    public static Tensor Tokens(IKernelHost host, string magic, HookedTransformer model, string? prompt)
    {
        prompt ??= MagicSession.Of(host).LastPrompt
            ?? throw MagicErrors.Usage(host, magic, "no prompt was given and there is no earlier #!run to reuse: give a prompt in double quotes.");
        if (prompt.Length == 0)
        {
            throw MagicErrors.Usage(host, magic, "the prompt is empty: give some text in double quotes.");
        }

        if (model.Tokenizer is null)
        {
            throw MagicErrors.Usage(host, magic,
                $"the model has no tokenizer ({model.TokenizerProblem ?? "no tokenizer files"}), so text prompts cannot be run: add tokenizer files to the model folder.");
        }

        // ToTokens refuses a prompt longer than the context with a message that says so.
        return model.ToTokens(prompt);
    }

    /// <summary>A function that turns a token id into its text, for the views.</summary>
    public static Func<int, string> Decoder(HookedTransformer model) =>
        model.Tokenizer is { } tokenizer
            ? id => tokenizer.ToStrTokens([id])[0]
            : id => id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
