using InterpKernel.Notebook.Hosting;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace InterpKernel.Kernel.Execution;

// Completion: Roslyn's recommendation service lives in Workspaces, which scripting does not ship, so the
// candidates come straight from the semantic model of the cell compiled as the next submission.
public sealed partial class CellEngine
{
    private static readonly string[] Keywords = SyntaxFacts.GetKeywordKinds()
        .Concat(SyntaxFacts.GetContextualKeywordKinds())
        .Select(SyntaxFacts.GetText)
        .Where(k => k.Length > 0 && char.IsLetter(k[0]))
        .Distinct()
        .ToArray();

    /// <summary>Completions at a cursor position: members after a dot, otherwise names in scope and keywords.</summary>
    /// <param name="code">The cell text.</param>
    /// <param name="cursor">The cursor offset in <paramref name="code"/>.</param>
    public CompletionResult Complete(string code, int cursor)
    {
        ArgumentNullException.ThrowIfNull(code);
        cursor = Math.Clamp(cursor, 0, code.Length);
        if (CompleteMagic(code, cursor) is { } magic)
        {
            return magic;
        }

        var start = cursor;
        while (start > 0 && (char.IsLetterOrDigit(code[start - 1]) || code[start - 1] == '_'))
        {
            start--;
        }

        var prefix = code[start..cursor];
        var end = cursor;
        while (end < code.Length && (char.IsLetterOrDigit(code[end]) || code[end] == '_'))
        {
            end++;
        }

        var model = SemanticModelOf(code, out var root);
        if (model is null)
        {
            return new CompletionResult([], start, end);
        }

        var names = start > 0 && code[start - 1] == '.'
            ? MemberNames(model, root, start - 1)
            : model.LookupSymbols(start).Where(s => s.CanBeReferencedByName).Select(s => s.Name).Concat(Keywords);
        var matches = names
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && !n.StartsWith("__ik_", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        return new CompletionResult(matches, start, end);
    }

    // On a magic line: the magic names after "#!", and the magic's options for a word that starts with '-'.
    private CompletionResult? CompleteMagic(string code, int cursor)
    {
        var lineStart = cursor == 0 ? 0 : code.LastIndexOf('\n', cursor - 1) + 1;

        var line = code[lineStart..cursor];
        var lead = line.Length - line.TrimStart().Length;
        if (!line.AsSpan(lead).StartsWith(MagicDispatcher.Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var end = cursor;
        while (end < code.Length && !char.IsWhiteSpace(code[end]))
        {
            end++;
        }

        var rest = line[(lead + MagicDispatcher.Prefix.Length)..];
        if (!rest.Any(char.IsWhiteSpace))
        {
            var names = _host.Magics.Commands
                .Select(m => MagicDispatcher.Prefix + m.Name)
                .Where(n => n.StartsWith(line[lead..], StringComparison.Ordinal))
                .ToList();
            return new CompletionResult(names, lineStart + lead, end);
        }

        var magicName = rest[..rest.IndexOf(rest.First(char.IsWhiteSpace))];
        var word = line[(line.LastIndexOfAny([' ', '\t']) + 1)..];
        var options = word.StartsWith('-')
            ? _host.Magics.GetOptionNames(magicName).Where(o => o.StartsWith(word, StringComparison.Ordinal)).ToList()
            : [];
        return new CompletionResult(options, cursor - word.Length, end);
    }

    private static IEnumerable<string> MemberNames(SemanticModel model, SyntaxNode root, int dot)
    {
        var token = root.FindToken(dot);
        var expression = token.Parent switch
        {
            MemberAccessExpressionSyntax access => access.Expression,
            QualifiedNameSyntax qualified => qualified.Left,
            _ => null,
        };
        if (expression is null)
        {
            return [];
        }

        var position = dot + 1;
        var symbol = model.GetSymbolInfo(expression).Symbol;
        IEnumerable<ISymbol> members = symbol switch
        {
            INamespaceSymbol ns => model.LookupNamespacesAndTypes(position, ns),
            ITypeSymbol type => model.LookupStaticMembers(position, type),
            _ => model.GetTypeInfo(expression).Type is { } instanceType
                ? model.LookupSymbols(position, instanceType, includeReducedExtensionMethods: true).Where(s => !s.IsStatic)
                : [],
        };
        return members.Where(s => s.CanBeReferencedByName).Select(s => s.Name);
    }

    private SemanticModel? SemanticModelOf(string code, out SyntaxNode root)
    {
        var compilation = (_state?.Script ?? _firstScript).ContinueWith(code, _options).GetCompilation();
        var tree = compilation.SyntaxTrees.Last();
        root = tree.GetRoot();
        return compilation.GetSemanticModel(tree);
    }
}
