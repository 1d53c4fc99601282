namespace InterpKernel.Kernel.Execution;

/// <summary>What the symbol at the cursor is.</summary>
/// <param name="Signature">The symbol as C# shows it, for example <c>int List&lt;int&gt;.Count { get; }</c>.</param>
/// <param name="Kind">Method, property, local, type...</param>
/// <param name="Type">The type of a value-like symbol, or null.</param>
/// <param name="Summary">The XML documentation summary, or null when there is none.</param>
public sealed record InspectionResult(string Signature, string Kind, string? Type, string? Summary)
{
    /// <summary>The plain-text form shown by a front end's inspector.</summary>
    public string ToText()
    {
        var text = $"{Signature}\n{Kind}";
        if (Type is not null)
        {
            text += $" of type {Type}";
        }

        return Summary is null ? text : $"{text}\n\n{Summary}";
    }
}
