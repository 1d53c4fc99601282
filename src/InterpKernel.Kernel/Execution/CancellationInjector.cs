using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace InterpKernel.Kernel.Execution;

/// <summary>
/// Rewrites a cell so that every loop body and every method or block-bodied lambda starts with a
/// cancellation check (an expression-bodied lambda too, given the cell's semantic model), and so does every labelled statement (the target of a <c>goto</c> loop); calls of
/// <c>Thread.Sleep</c> become waits that an interrupt ends (<see cref="ScriptCancellation.Sleep(int)"/>), and
/// <c>Task.Delay(d)</c> gets the cell's token. .NET cannot abort a thread, so this is what lets an interrupt stop
/// <c>while (true) { }</c>. The checks are inserted without line breaks, so line numbers stay those of the cell.
/// </summary>
internal sealed partial class CancellationInjector : CSharpSyntaxRewriter
{
    private static readonly StatementSyntax GlobalsCheck =
        SyntaxFactory.ParseStatement("__ik_token.ThrowIfCancellationRequested();");

    // Classes declared in a cell cannot see the globals object, so their code reads the static token.
    private static readonly StatementSyntax StaticCheck = SyntaxFactory.ParseStatement(
        "global::InterpKernel.Kernel.Execution.ScriptCancellation.Current.ThrowIfCancellationRequested();");

    private int _typeDepth;

    /// <summary>True when the tree has anything the rewriter would change.</summary>
    public static bool IsNeeded(SyntaxNode root) => root.DescendantNodes().Any(n => n is
        ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax
        or BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax
        or AccessorDeclarationSyntax or LabeledStatementSyntax)
        || root.DescendantNodes().OfType<InvocationExpressionSyntax>().Any(i => IsSleep(i) || IsDelayWithoutToken(i));

    // Matched by name: Thread.Sleep and System.Threading.Thread.Sleep (with or without global::).
    private static bool IsSleep(InvocationExpressionSyntax call) =>
        call.Expression is MemberAccessExpressionSyntax { Name.Identifier.Text: "Sleep" } access
        && access.Expression.ToString().Replace("global::", "", StringComparison.Ordinal) is "Thread" or "System.Threading.Thread"
        && call.ArgumentList.Arguments.Count == 1;

    private static bool IsDelayWithoutToken(InvocationExpressionSyntax call) =>
        call.Expression is MemberAccessExpressionSyntax { Name.Identifier.Text: "Delay" } access
        && access.Expression.ToString().Replace("global::", "", StringComparison.Ordinal) is "Task" or "System.Threading.Tasks.Task"
        && call.ArgumentList.Arguments.Count == 1;

    private StatementSyntax Check => _typeDepth > 0 ? StaticCheck : GlobalsCheck;

    public override SyntaxNode? VisitClassDeclaration(ClassDeclarationSyntax node) => InType(() => base.VisitClassDeclaration(node));

    public override SyntaxNode? VisitStructDeclaration(StructDeclarationSyntax node) => InType(() => base.VisitStructDeclaration(node));

    public override SyntaxNode? VisitRecordDeclaration(RecordDeclarationSyntax node) => InType(() => base.VisitRecordDeclaration(node));

    public override SyntaxNode? VisitInterfaceDeclaration(InterfaceDeclarationSyntax node) => InType(() => base.VisitInterfaceDeclaration(node));

    public override SyntaxNode? VisitInvocationExpression(InvocationExpressionSyntax node)
    {
        var visited = (InvocationExpressionSyntax)base.VisitInvocationExpression(node)!;
        if (IsSleep(visited))
        {
            return visited.WithExpression(SyntaxFactory.ParseExpression("global::InterpKernel.Kernel.Execution.ScriptCancellation.Sleep")
                .WithTriviaFrom(visited.Expression));
        }

        if (IsDelayWithoutToken(visited))
        {
            return visited.WithArgumentList(visited.ArgumentList.AddArguments(SyntaxFactory.Argument(
                SyntaxFactory.ParseExpression("global::InterpKernel.Kernel.Execution.ScriptCancellation.Current"))));
        }

        return visited;
    }

    public override SyntaxNode? VisitLabeledStatement(LabeledStatementSyntax node)
    {
        var visited = (LabeledStatementSyntax)base.VisitLabeledStatement(node)!;
        return visited.WithStatement(Inject(visited.Statement));
    }

    public override SyntaxNode? VisitWhileStatement(WhileStatementSyntax node)
    {
        var visited = (WhileStatementSyntax)base.VisitWhileStatement(node)!;
        return visited.WithStatement(Inject(visited.Statement));
    }

    public override SyntaxNode? VisitDoStatement(DoStatementSyntax node)
    {
        var visited = (DoStatementSyntax)base.VisitDoStatement(node)!;
        return visited.WithStatement(Inject(visited.Statement));
    }

    public override SyntaxNode? VisitForStatement(ForStatementSyntax node)
    {
        var visited = (ForStatementSyntax)base.VisitForStatement(node)!;
        return visited.WithStatement(Inject(visited.Statement));
    }

    public override SyntaxNode? VisitForEachStatement(ForEachStatementSyntax node)
    {
        var visited = (ForEachStatementSyntax)base.VisitForEachStatement(node)!;
        return visited.WithStatement(Inject(visited.Statement));
    }

    public override SyntaxNode? VisitMethodDeclaration(MethodDeclarationSyntax node)
    {
        var visited = (MethodDeclarationSyntax)base.VisitMethodDeclaration(node)!;
        return visited.Body is null ? visited : visited.WithBody(InjectBlock(visited.Body));
    }

    public override SyntaxNode? VisitConstructorDeclaration(ConstructorDeclarationSyntax node)
    {
        var visited = (ConstructorDeclarationSyntax)base.VisitConstructorDeclaration(node)!;
        return visited.Body is null ? visited : visited.WithBody(InjectBlock(visited.Body));
    }

    public override SyntaxNode? VisitAccessorDeclaration(AccessorDeclarationSyntax node)
    {
        var visited = (AccessorDeclarationSyntax)base.VisitAccessorDeclaration(node)!;
        return visited.Body is null ? visited : visited.WithBody(InjectBlock(visited.Body));
    }

    public override SyntaxNode? VisitLocalFunctionStatement(LocalFunctionStatementSyntax node)
    {
        var visited = (LocalFunctionStatementSyntax)base.VisitLocalFunctionStatement(node)!;
        return visited.Body is null ? visited : visited.WithBody(InjectBlock(visited.Body));
    }

    public override SyntaxNode? VisitParenthesizedLambdaExpression(ParenthesizedLambdaExpressionSyntax node)
    {
        var body = NextLambda(node);
        var visited = (ParenthesizedLambdaExpressionSyntax)base.VisitParenthesizedLambdaExpression(node)!;
        return visited.Block is null ? WithCheckedBody(visited, body) : visited.WithBlock(InjectBlock(visited.Block));
    }

    public override SyntaxNode? VisitSimpleLambdaExpression(SimpleLambdaExpressionSyntax node)
    {
        var body = NextLambda(node);
        var visited = (SimpleLambdaExpressionSyntax)base.VisitSimpleLambdaExpression(node)!;
        return visited.Block is null ? WithCheckedBody(visited, body) : visited.WithBlock(InjectBlock(visited.Block));
    }

    public override SyntaxNode? VisitAnonymousMethodExpression(AnonymousMethodExpressionSyntax node)
    {
        var visited = (AnonymousMethodExpressionSyntax)base.VisitAnonymousMethodExpression(node)!;
        return visited.WithBlock(InjectBlock(visited.Block));
    }

    private SyntaxNode? InType(Func<SyntaxNode?> visit)
    {
        _typeDepth++;
        try
        {
            return visit();
        }
        finally
        {
            _typeDepth--;
        }
    }

    private BlockSyntax InjectBlock(BlockSyntax block) => block.WithStatements(block.Statements.Insert(0, Check));

    private StatementSyntax Inject(StatementSyntax body) =>
        body is BlockSyntax block ? InjectBlock(block) : SyntaxFactory.Block(Check, body);
}
