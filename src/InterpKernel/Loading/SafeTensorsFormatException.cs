namespace InterpKernel.Loading;

/// <summary>
/// A safetensors file (or a checkpoint index) is malformed. The message names the file, the tensor when the
/// problem belongs to one, what is wrong and what to do about it.
/// </summary>
/// <remarks>
/// It derives from <see cref="IOException"/> because <see cref="InvalidDataException"/> is sealed: a caller that
/// guards a load with <c>catch (IOException)</c> sees bad files and unreadable files alike.
/// </remarks>
public sealed class SafeTensorsFormatException : IOException
{
    /// <summary>Creates the exception; the message is composed from the file, the tensor and the problem.</summary>
    /// <param name="filePath">The file that is malformed.</param>
    /// <param name="tensorName">The tensor whose entry is malformed, or <see langword="null"/> for a file-level problem.</param>
    /// <param name="problem">What is wrong and what to do, as a sentence or two.</param>
    /// <param name="innerException">The underlying parser error, if any.</param>
    public SafeTensorsFormatException(string filePath, string? tensorName, string problem, Exception? innerException = null)
        : base(Compose(filePath, tensorName, problem), innerException)
    {
        FilePath = filePath;
        TensorName = tensorName;
    }

    /// <summary>The file that is malformed.</summary>
    public string FilePath { get; }

    /// <summary>The tensor whose entry is malformed, or <see langword="null"/> for a file-level problem.</summary>
    public string? TensorName { get; }

    private static string Compose(string filePath, string? tensorName, string problem) =>
        tensorName is null
            ? $"Invalid safetensors file '{filePath}': {problem}"
            : $"Invalid safetensors file '{filePath}', tensor '{tensorName}': {problem}";
}
