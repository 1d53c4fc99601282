using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace InterpKernel.Kernel.Execution;

/// <summary>
/// Rewrites a cell's calls of the TorchSharp operations in <see cref="TensorGuards.Guarded"/>, whether written
/// <c>a.matmul(b)</c>, <c>torch.matmul(a, b)</c> or <c>matmul(a, b)</c>, into calls of <see cref="TensorGuards"/>,
/// which check the shapes before the native code runs. Calls are found by symbol, so a user's own method named
/// <c>matmul</c> is left alone. No line breaks are added, so line numbers stay those of the cell.
/// </summary>
internal sealed class TensorGuardRewriter : CSharpSyntaxRewriter
{
    private const string TensorType = "TorchSharp.torch.Tensor";
    private const string TorchType = "TorchSharp.torch";

    private readonly SemanticModel _model;

    public TensorGuardRewriter(SemanticModel model)
    {
        _model = model;
    }

    /// <summary>True when the tree calls an operation by that name at all (a cheap test before binding).</summary>
    public static bool IsNeeded(SyntaxNode root) => root.DescendantNodes().OfType<InvocationExpressionSyntax>()
        .Any(call => TensorGuards.Guarded.Contains(Name(call) ?? ""));

    public override SyntaxNode? VisitInvocationExpression(InvocationExpressionSyntax node)
    {
        var name = Name(node);
        var method = name is not null && TensorGuards.Guarded.Contains(name)
            ? _model.GetSymbolInfo(node).Symbol as IMethodSymbol
            : null;
        var visited = (InvocationExpressionSyntax)base.VisitInvocationExpression(node)!;
        if (method is null || method.Parameters.Any(p => p.Type.ToDisplayString() != TensorType))
        {
            return visited;
        }

        var owner = method.ContainingType.ToDisplayString();
        var guard = SyntaxFactory.ParseExpression($"global::InterpKernel.Kernel.Execution.TensorGuards.{name}");
        if (owner == TensorType && !method.IsStatic && visited.Expression is MemberAccessExpressionSyntax access)
        {
            var receiver = SyntaxFactory.Argument(access.Expression.WithoutTrivia());
            return SyntaxFactory.InvocationExpression(guard, visited.ArgumentList.WithArguments(
                visited.ArgumentList.Arguments.Insert(0, receiver))).WithTriviaFrom(visited);
        }

        if (owner == TorchType && method.IsStatic)
        {
            return visited.WithExpression(guard.WithTriviaFrom(visited.Expression));
        }

        return visited;
    }

    private static string? Name(InvocationExpressionSyntax call) => call.Expression switch
    {
        MemberAccessExpressionSyntax access => access.Name.Identifier.Text,
        IdentifierNameSyntax identifier => identifier.Identifier.Text,
        _ => null,
    };
}
