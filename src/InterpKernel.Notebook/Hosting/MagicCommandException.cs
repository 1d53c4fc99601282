namespace InterpKernel.Notebook.Hosting;

/// <summary>
/// A magic command line that could not be run: unknown name or arguments that do not parse. The message
/// says what was wrong and shows the command's usage; the cell fails, the kernel keeps running.
/// </summary>
public sealed class MagicCommandException : Exception
{
    /// <summary>Creates the exception with a message that already contains the usage text.</summary>
    /// <param name="message">What was wrong, followed by the usage.</param>
    public MagicCommandException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception wrapping the cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public MagicCommandException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
