using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace InterpKernel.Kernel.Execution;

// Inspection and completeness: both read the cell as Roslyn parses a script submission.
public sealed partial class CellEngine
{
    private static readonly CSharpParseOptions ScriptParse =
        CSharpParseOptions.Default.WithKind(SourceCodeKind.Script).WithLanguageVersion(LanguageVersion.Latest);

    /// <summary>Whether a cell is a complete submission: <c>complete</c>, <c>incomplete</c> or <c>invalid</c>.</summary>
    /// <param name="code">The cell text.</param>
    public static string IsComplete(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var csharp = string.Join('\n', CellSplitter.Split(code).Where(s => !s.IsMagic).Select(s => s.Text));
        if (string.IsNullOrWhiteSpace(csharp))
        {
            return "complete";
        }

        var tree = SyntaxFactory.ParseSyntaxTree(csharp, ScriptParse);
        if (!SyntaxFactory.IsCompleteSubmission(tree))
        {
            return "incomplete";
        }

        return tree.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error) ? "invalid" : "complete";
    }

    /// <summary>Describes the symbol at the cursor, or returns null when there is none.</summary>
    /// <param name="code">The cell text.</param>
    /// <param name="cursor">The cursor offset in <paramref name="code"/>.</param>
    public InspectionResult? Inspect(string code, int cursor)
    {
        ArgumentNullException.ThrowIfNull(code);
        var model = SemanticModelOf(code, out var root);
        if (model is null || code.Length == 0)
        {
            return null;
        }

        cursor = Math.Clamp(cursor, 0, code.Length);
        var token = root.FindToken(Math.Max(0, cursor - 1));
        if (!token.IsKind(SyntaxKind.IdentifierToken) && cursor < code.Length)
        {
            token = root.FindToken(cursor);
        }

        var node = token.IsKind(SyntaxKind.IdentifierToken) ? token.Parent : EnclosingCall(root, cursor);
        if (node is null)
        {
            return null;
        }

        var info = model.GetSymbolInfo(node);
        var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault() ?? model.GetDeclaredSymbol(node);
        if (symbol is null)
        {
            return null;
        }

        var type = symbol switch
        {
            ILocalSymbol l => l.Type,
            IFieldSymbol f => f.Type,
            IPropertySymbol p => p.Type,
            IParameterSymbol p => p.Type,
            IMethodSymbol m => m.ReturnType,
            _ => null,
        };
        return new InspectionResult(
            symbol.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
            symbol.Kind.ToString(),
            type?.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
            Summary(symbol));
    }

    // Inside an argument list (as right after "Math.Sqrt("): the innermost call or construction whose
    // parentheses hold the cursor, so that inspection shows the method being called.
    private static SyntaxNode? EnclosingCall(SyntaxNode root, int cursor)
    {
        var token = root.FindToken(Math.Max(0, cursor - 1));
        return token.Parent?.AncestorsAndSelf()
            .OfType<ArgumentListSyntax>()
            .FirstOrDefault(a => a.OpenParenToken.Span.End <= cursor
                && (a.CloseParenToken.IsMissing || cursor <= a.CloseParenToken.SpanStart))
            ?.Parent switch
        {
            InvocationExpressionSyntax invocation => invocation,
            BaseObjectCreationExpressionSyntax creation => creation,
            _ => null,
        };
    }

    private static string? Summary(ISymbol symbol)
    {
        var xml = symbol.GetDocumentationCommentXml(expandIncludes: true);
        if (string.IsNullOrWhiteSpace(xml))
        {
            return null;
        }

        try
        {
            var summary = XElement.Parse(xml).Element("summary");
            if (summary is null)
            {
                return null;
            }

            // <see cref="T:Foo.Bar"/> reads as Bar.
            foreach (var see in summary.Descendants().Where(e => e.Name == "see" || e.Name == "paramref" || e.Name == "typeparamref").ToList())
            {
                var target = (string?)see.Attribute("cref") ?? (string?)see.Attribute("name") ?? (string?)see.Attribute("langword") ?? "";
                see.ReplaceWith(target.Contains(':') ? target[(target.IndexOf(':') + 1)..].Split('.').Last() : target);
            }

            return string.Join(' ', summary.Value.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }
}
