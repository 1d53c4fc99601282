using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace InterpKernel.Kernel.Execution;

/// <summary>
/// Checks in expression-bodied lambdas (<c>SpinWait.SpinUntil(() => ...)</c>, <c>Parallel.For(0, n, i => Work(i))</c>),
/// which a spin can live in without any loop of the cell's own. Such a lambda becomes a block lambda on the same line,
/// <c>{ check; return expr; }</c>, or <c>{ check; expr; }</c> when its delegate returns nothing; which one needs the
/// semantic model of the cell as written, so lambdas are matched to it by their order in the tree. Lambdas that are
/// expression trees, that return by reference or throw, or that the model cannot type are left as they are.
/// </summary>
internal sealed partial class CancellationInjector
{
    private readonly List<LambdaBody>? _lambdaBodies;
    private int _lambdaIndex;
    private bool _lambdasMatch;

    /// <summary>Creates an injector that also checks in expression-bodied lambdas.</summary>
    /// <param name="model">The semantic model of the cell as written.</param>
    /// <param name="asWritten">The root of the cell as written, which the tree to rewrite has the same lambdas as.</param>
    public CancellationInjector(SemanticModel model, SyntaxNode asWritten)
    {
        _lambdaBodies = ExpressionLambdas(asWritten).Select(l => Classify(model, l)).ToList();
    }

    public CancellationInjector()
    {
    }

    private enum LambdaBody
    {
        Keep,
        Statement,
        Return,
    }

    public override SyntaxNode? VisitCompilationUnit(CompilationUnitSyntax node)
    {
        // A tree whose expression lambdas are not those of the model (another rewrite added some) keeps them all.
        _lambdasMatch = _lambdaBodies is not null && ExpressionLambdas(node).Count() == _lambdaBodies.Count;
        return base.VisitCompilationUnit(node);
    }

    private static IEnumerable<LambdaExpressionSyntax> ExpressionLambdas(SyntaxNode root) =>
        root.DescendantNodes().OfType<LambdaExpressionSyntax>().Where(l => l.ExpressionBody is not null);

    private static LambdaBody Classify(SemanticModel model, LambdaExpressionSyntax lambda)
    {
        if (lambda.ExpressionBody is RefExpressionSyntax or ThrowExpressionSyntax
            || model.GetTypeInfo(lambda).ConvertedType is not INamedTypeSymbol { DelegateInvokeMethod: { } invoke })
        {
            return LambdaBody.Keep;
        }

        var returnsTask = !lambda.AsyncKeyword.IsKind(SyntaxKind.None)
            && invoke.ReturnType is INamedTypeSymbol { IsGenericType: false, Name: "Task" or "ValueTask" };
        return invoke.ReturnsVoid || returnsTask ? LambdaBody.Statement : LambdaBody.Return;
    }

    // Called before the lambda's children are visited, so that the order is the tree's document order.
    private LambdaBody NextLambda(LambdaExpressionSyntax node)
    {
        if (node.ExpressionBody is null)
        {
            return LambdaBody.Keep;
        }

        var index = _lambdaIndex++;
        return _lambdasMatch && index < _lambdaBodies!.Count ? _lambdaBodies[index] : LambdaBody.Keep;
    }

    private SyntaxNode WithCheckedBody(LambdaExpressionSyntax visited, LambdaBody body)
    {
        if (body == LambdaBody.Keep || visited.ExpressionBody is not { } expression)
        {
            return visited;
        }

        // A static lambda cannot see the globals object, so it reads the static token.
        var check = visited.Modifiers.Any(SyntaxKind.StaticKeyword) ? StaticCheck : Check;
        StatementSyntax statement = body == LambdaBody.Return
            ? SyntaxFactory.ReturnStatement(SyntaxFactory.Token(SyntaxKind.ReturnKeyword).WithTrailingTrivia(SyntaxFactory.Space),
                expression.WithoutTrailingTrivia(), SyntaxFactory.Token(SyntaxKind.SemicolonToken))
            : SyntaxFactory.ExpressionStatement(expression.WithoutTrailingTrivia());
        var block = SyntaxFactory.Block(check, statement).WithTrailingTrivia(expression.GetTrailingTrivia());
        return visited.WithExpressionBody(null).WithBlock(block);
    }
}
