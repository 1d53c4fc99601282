using Microsoft.CodeAnalysis;

namespace InterpKernel.Kernel.Execution;

/// <summary>A C# block of a cell did not compile.</summary>
internal sealed class CellCompilationException : Exception
{
    public CellCompilationException(IReadOnlyList<Diagnostic> errors)
        : base(string.Join("\n", errors.Select(Describe)))
    {
        Lines = errors.Select(Describe).ToList();
    }

    /// <summary>One line per error: <c>(line,col): error CSxxxx: message</c>, positions one-based within the cell.</summary>
    public IReadOnlyList<string> Lines { get; }

    private static string Describe(Diagnostic diagnostic)
    {
        var position = diagnostic.Location.GetLineSpan().StartLinePosition;
        return $"({position.Line + 1},{position.Character + 1}): error {diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }
}
