namespace InterpKernel.Tokenization;

/// <summary>
/// Thrown when a model folder holds none of the tokenizer files InterpKernel knows how to read.
/// </summary>
public sealed class TokenizerNotFoundException : FileNotFoundException
{
    /// <summary>Creates the exception with a message that says what is missing.</summary>
    /// <param name="message">What was looked for and where.</param>
    public TokenizerNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the folder that was searched.</summary>
    /// <param name="message">What was looked for and where.</param>
    /// <param name="folder">The folder that was searched; kept as <see cref="FileNotFoundException.FileName"/>.</param>
    public TokenizerNotFoundException(string message, string folder)
        : base(message, folder)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    /// <param name="message">What was looked for and where.</param>
    /// <param name="innerException">The underlying error.</param>
    public TokenizerNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
