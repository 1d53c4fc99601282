using Microsoft.CodeAnalysis;

namespace InterpKernel.Kernel.Execution;

/// <summary>A C# block of a cell did not compile.</summary>
internal sealed class CellCompilationException : Exception
{
    public CellCompilationException(IReadOnlyList<Diagnostic> errors)
        : base(string.Join("\n", errors.Select(Describe)))
    {
        Lines = errors.Select(Describe).ToList();
        MayNeedAReference = errors.Any(e => e.Id is "CS0246" or "CS0234" or "CS0012" or "CS0103" or "CS1069" or "CS1061" or "CS0117");
    }

    /// <summary>Whether an error may come from a missing assembly reference (an unknown type, namespace or member).</summary>
    public bool MayNeedAReference { get; }

    /// <summary>One line per error: <c>(line,col): error CSxxxx: message</c>, positions one-based within the cell.</summary>
    public IReadOnlyList<string> Lines { get; }

    private static string Describe(Diagnostic diagnostic)
    {
        var position = diagnostic.Location.GetLineSpan().StartLinePosition;
        return $"({position.Line + 1},{position.Character + 1}): error {diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }
}
