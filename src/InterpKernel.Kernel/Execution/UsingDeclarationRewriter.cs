using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace InterpKernel.Kernel.Execution;

/// <summary>
/// Turns the using declarations at the top level of a cell (<c>using var x = e;</c>, <c>using Tensor a = e1, b = e2;</c>),
/// which Roslyn scripts reject, into script variables whose values are disposed when the cell ends: the end of the
/// enclosing scope, as in C#. <c>using var x = e;</c> becomes <c>var x = __ik_using(e);</c>. The rewrite works on the
/// tokens, since the script parser does not get as far as a tree; it adds no line break, so line numbers stay.
/// Using directives (<c>using System.Text;</c>, <c>using X = A.B;</c>) and using statements are left alone.
/// </summary>
internal static class UsingDeclarationRewriter
{
    /// <summary>The method of <see cref="ScriptGlobals"/> that registers a value for disposal at the end of the cell.</summary>
    public const string Register = "__ik_using";

    /// <summary>The code with its top-level using declarations rewritten; the same string when it has none.</summary>
    public static string Rewrite(string code)
    {
        if (!code.Contains("using", StringComparison.Ordinal))
        {
            return code;
        }

        var tokens = SyntaxFactory.ParseTokens(code).Where(t => !t.IsKind(SyntaxKind.EndOfFileToken)).ToList();
        var replacements = new List<(TextSpan Span, string Text)>();
        var depth = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            var kind = tokens[i].Kind();
            if (kind == SyntaxKind.OpenBraceToken)
            {
                depth++;
            }
            else if (kind == SyntaxKind.CloseBraceToken)
            {
                depth--;
            }
            else if (kind == SyntaxKind.UsingKeyword && depth == 0 && StartsStatement(tokens, i)
                && Declaration(code, tokens, i) is { } replacement)
            {
                replacements.Add(replacement);
            }
        }

        var text = new StringBuilder(code);
        foreach (var (span, replacementText) in replacements.OrderByDescending(r => r.Span.Start))
        {
            text.Remove(span.Start, span.Length).Insert(span.Start, replacementText);
        }

        return text.ToString();
    }

    private static bool StartsStatement(List<SyntaxToken> tokens, int i) =>
        i == 0 || tokens[i - 1].Kind() is SyntaxKind.SemicolonToken or SyntaxKind.CloseBraceToken;

    // From the using keyword to its semicolon; null when that is a directive, a using statement, or not a declaration.
    private static (TextSpan Span, string Text)? Declaration(string code, List<SyntaxToken> tokens, int at)
    {
        if (at + 1 >= tokens.Count || tokens[at + 1].Kind() is SyntaxKind.StaticKeyword or SyntaxKind.OpenParenToken)
        {
            return null;
        }

        var nesting = 0;
        var end = -1;
        var firstEquals = -1;
        for (var j = at + 1; j < tokens.Count && end < 0; j++)
        {
            switch (tokens[j].Kind())
            {
                case SyntaxKind.OpenParenToken or SyntaxKind.OpenBracketToken or SyntaxKind.OpenBraceToken:
                    nesting++;
                    break;
                case SyntaxKind.CloseParenToken or SyntaxKind.CloseBracketToken or SyntaxKind.CloseBraceToken:
                    nesting--;
                    break;
                case SyntaxKind.EqualsToken when nesting == 0 && firstEquals < 0:
                    firstEquals = j;
                    break;
                case SyntaxKind.SemicolonToken when nesting == 0:
                    end = j;
                    break;
            }
        }

        // "using X = A.B;" names an alias: a declaration has a type and a name before its '='.
        if (end < 0 || firstEquals - at < 3 || !tokens[firstEquals - 1].IsKind(SyntaxKind.IdentifierToken))
        {
            return null;
        }

        var start = tokens[at + 1].SpanStart;
        var original = code[start..tokens[end].Span.End];
        if (SyntaxFactory.ParseStatement(original) is not LocalDeclarationStatementSyntax { Declaration: var declaration } parsed
            || parsed.ContainsDiagnostics || declaration.Variables.Any(v => v.Initializer is null))
        {
            return null;
        }

        var type = declaration.Type.ToString();
        var text = string.Concat(declaration.Variables.Select((v, k) =>
            $"{(k == 0 ? "" : " ")}{type} {v.Identifier.Text} = {Register}({v.Initializer!.Value.ToFullString()});"));
        // Line breaks between declarators are dropped above; put them back at the end so the lines below keep their numbers.
        var missing = original.Count(c => c == '\n') - text.Count(c => c == '\n');
        var span = TextSpan.FromBounds(tokens[at].SpanStart, tokens[end].Span.End);
        return (span, text + new string('\n', Math.Max(0, missing)));
    }
}
