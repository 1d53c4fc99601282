using System.Text.RegularExpressions;

namespace InterpKernel.Notebook.Magics;

/// <summary>Checks the variable names magics bind, before any work is done.</summary>
internal static partial class MagicNames
{
    /// <summary>True for a plain C# identifier such as <c>model</c> or <c>sae_2</c>.</summary>
    public static bool IsIdentifier(string name) => IdentifierSyntax().IsMatch(name);

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex IdentifierSyntax();
}
