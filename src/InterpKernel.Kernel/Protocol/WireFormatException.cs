namespace InterpKernel.Kernel.Protocol;

/// <summary>A multipart frame sequence that is not a valid (or not a correctly signed) Jupyter message.</summary>
public sealed class WireFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong with the frames.</param>
    public WireFormatException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What was wrong with the frames.</param>
    /// <param name="innerException">The cause.</param>
    public WireFormatException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
