using System.Runtime.ExceptionServices;
using InterpKernel.Notebook.Hosting;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace InterpKernel.Kernel.Execution;

/// <summary>
/// Runs notebook cells as a chain of Roslyn script submissions, so that each cell sees what the earlier
/// ones declared. Shared by the Jupyter kernel and the headless runner. One cell runs at a time, on its
/// own thread, and <see cref="Interrupt"/> stops it.
/// </summary>
public sealed partial class CellEngine : IDisposable
{
    /// <summary>How long an interrupted cell may take to stop before the engine gives up waiting for it.</summary>
    public static readonly TimeSpan InterruptGrace = TimeSpan.FromSeconds(2);

    private readonly KernelHost _host;
    private readonly ScriptGlobals _globals;
    private readonly SemaphoreSlim _oneCellAtATime = new(1, 1);
    private readonly Task _ready;
    private ScriptOptions _options;
    // Whether the cells reference the whole shared framework yet (see ScriptEnvironment.RestOfFramework).
    private bool _wholeFramework;
    private ScriptState<object>? _state;
    // The empty submission the warm-up runs; completion and inspection compile against it until it has run, so that
    // they answer from the moment the engine exists rather than once the warm-up has emitted and run it.
    private readonly Script<object> _firstScript;
    // Every cell submitted and not yet finished, waiting or running: an interrupt stops them all, so that one
    // that arrives while a cell still waits for the compiler's warm-up (or for the cell before it) is not lost.
    private readonly HashSet<CancellationTokenSource> _cells = [];
    // The dispose scopes of the running cell's code segments, closed when the cell ends (see CellScope).
    private readonly List<CellScope> _scopes = [];

    /// <summary>Creates an engine and starts warming up the compiler in the background.</summary>
    public CellEngine()
    {
        _host = new KernelHost(this);
        _globals = new ScriptGlobals(_host);
        _options = ScriptEnvironment.CreateOptions();
        _firstScript = CSharpScript.Create("", _options, typeof(ScriptGlobals));
        _ready = Task.Run(WarmUpAsync);
    }

    /// <summary>
    /// How many characters one cell may write to stdout (and as many to stderr) before the rest goes to a file
    /// that a note in the output names; 10 million unless set (or set by <c>INTERP_KERNEL_MAX_STREAM_CHARS</c>).
    /// </summary>
    public long MaxStreamChars { get; set; } =
        long.TryParse(Environment.GetEnvironmentVariable("INTERP_KERNEL_MAX_STREAM_CHARS"), out var limit) && limit > 0 ? limit : 10_000_000;

    /// <summary>The host that magic commands and extensions talk to.</summary>
    public KernelHost Host => _host;

    /// <summary>Completes when the first (empty) submission has compiled and run.</summary>
    public Task Ready => _ready;

    /// <summary>Runs one cell: its magic lines through the dispatcher, its C# through Roslyn.</summary>
    /// <param name="cell">The cell source.</param>
    /// <param name="sink">Receives streams, displays, the result and the error.</param>
    /// <param name="cancellationToken">Cancels the cell, like <see cref="Interrupt"/>.</param>
    /// <returns>Whether the cell succeeded; a failure is also sent to <paramref name="sink"/>.</returns>
    public async Task<CellOutcome> ExecuteAsync(string cell, IExecutionSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentNullException.ThrowIfNull(sink);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        lock (_cells)
        {
            _cells.Add(cts);
        }
        try
        {
            try
            {
                await _ready.WaitAsync(cts.Token).ConfigureAwait(false);
                await _oneCellAtATime.WaitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                var interrupted = new CellError("OperationCanceledException", "The cell was interrupted before it started.",
                    ["The cell was interrupted before it started."]);
                sink.Error(interrupted);
                return new CellOutcome(interrupted);
            }
            return await RunAsync(cell, sink, cts).ConfigureAwait(false);
        }
        finally
        {
            lock (_cells)
            {
                _cells.Remove(cts);
            }
        }
    }

    /// <summary>Runs a cell that holds the one-cell-at-a-time lock, and releases it.</summary>
    private async Task<CellOutcome> RunAsync(string cell, IExecutionSink sink, CancellationTokenSource cts)
    {
        var batcher = new StreamBatcher(sink, MaxStreamChars);
        var output = new StreamingWriter(batcher, "stdout");
        var error = new StreamingWriter(batcher, "stderr");
        var context = new CellContext(sink, output, error, cts.Token);
        CellError? failure = null;
        try
        {
            _host.Enter(context);
            ScriptCancellation.Current = cts.Token;
            using (ConsoleRouter.Route(output, error, new CellInputReader(sink, output, cts.Token)))
            {
                failure = await RunSegmentsAsync(cell, context).ConfigureAwait(false);
            }
        }
        finally
        {
            _host.Exit();
            ScriptCancellation.Current = CancellationToken.None;
            batcher.Dispose();
            _oneCellAtATime.Release();
        }

        if (failure is not null)
        {
            sink.Error(failure);
        }

        return new CellOutcome(failure);
    }

    /// <summary>
    /// Cancels the running cell, if any, and the cells waiting to run. Loops and methods in cells check for it; a
    /// waiting cell ends with "interrupted before it started".
    /// </summary>
    public void Interrupt()
    {
        CancellationTokenSource[] cells;
        lock (_cells)
        {
            cells = [.. _cells];
        }
        foreach (var cts in cells)
        {
            try
            {
                cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It finished between the copy and now.
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Interrupt();
        _oneCellAtATime.Dispose();
    }

    internal void BindVariable(string name, object? value)
    {
        var type = value is null ? typeof(object) : CSharpTypeName.Nameable(value.GetType());
        _options = _options.AddReferences(CSharpTypeName.Assemblies(type).Distinct()
            .Where(a => !a.IsDynamic && a.Location.Length > 0).Select(ScriptEnvironment.WithDocumentation).Except(_options.MetadataReferences));
        var code = $"var {name} = ({CSharpTypeName.Of(type)})__ik_vars[\"{name}\"];";
        var state = _state ?? throw new InvalidOperationException("The engine has not started yet: wait for Ready.");
        _state = state.ContinueWithAsync(code, _options).GetAwaiter().GetResult();
    }

    internal IReadOnlyList<KeyValuePair<string, object?>> Variables()
    {
        var variables = _state?.Variables ?? [];
        // Later submissions shadow earlier variables of the same name; keep each name once, where it was last declared.
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < variables.Length; i++)
        {
            last[variables[i].Name] = i;
        }

        return last.OrderBy(p => p.Value).Select(p => KeyValuePair.Create<string, object?>(p.Key, variables[p.Value].Value)).ToList();
    }

    internal bool TryGetVariable(string name, out object? value)
    {
        var variable = _state?.GetVariable(name);
        value = variable?.Value;
        return variable is not null;
    }

    private async Task WarmUpAsync()
    {
        _state = await _firstScript.RunAsync(_globals).ConfigureAwait(false);
        // Compiling and running one throw-away submission JITs the whole Roslyn pipeline before the first real cell.
        await _state.ContinueWithAsync("1 + 1", _options).ConfigureAwait(false);
        _ = DisplayFormatter.ToBundle(2);
        _ = DisplayFormatter.ToBundle(new[] { 1 });
        NotebookExtension.Load(_host);
    }

    private async Task<CellError?> RunSegmentsAsync(string cell, CellContext context)
    {
        var segments = CellSplitter.Split(cell);
        try
        {
            for (var i = 0; i < segments.Count; i++)
            {
                var segment = segments[i];
                if (segment.IsMagic)
                {
                    await _host.Magics.InvokeAsync(segment.Text, _host, context.Token).ConfigureAwait(false);
                    continue;
                }

                var (hasValue, value) = await RunCodeAsync(segment, context.Token).ConfigureAwait(false);
                if (hasValue && i == segments.Count - 1)
                {
                    context.Out.Flush();
                    context.Error.Flush();
                    context.Sink.Result(DisplayFormatter.ToBundle(value));
                }
            }

            return null;
        }
        catch (Exception e)
        {
            return CellErrors.From(e, context.Token);
        }
        finally
        {
            CellScope.CloseAll(_scopes, (_state?.Variables.Select(v => v.Value) ?? []).Append(_globals));
        }
    }

    private async Task<(bool HasValue, object? Value)> RunCodeAsync(CellSegment segment, CancellationToken token)
    {
        var state = _state!;
        // Leading newlines keep diagnostics' line numbers those of the whole cell.
        var code = new string('\n', segment.FirstLine) + UsingDeclarationRewriter.Rewrite(segment.Text);
        Script<object> script;
        bool hasValue;
        try
        {
            (script, hasValue) = Compile(state, code, _options, token);
        }
        catch (CellCompilationException e) when (e.MayNeedAReference && !_wholeFramework)
        {
            // The cell may use a part of the framework outside the common references: retry with all of it, and keep
            // it from now on when that compiles (a cell that still fails reports the errors of this retry).
            var wider = _options.AddReferences(ScriptEnvironment.RestOfFramework());
            (script, hasValue) = Compile(state, code, wider, token);
            _options = wider;
            _wholeFramework = true;
        }

        // The cell's token reaches the code through the injected checks; Roslyn does not get it, so that an
        // interrupted cell still returns its state and the variables it set before the interrupt survive.
        var scope = new CellScope();
        var run = Task.Factory.StartNew(
            () => scope.Run(() => script.RunFromAsync(state, _ => true, CancellationToken.None)),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap();
        await WaitOrAbandonAsync(run, token).ConfigureAwait(false);
        // Only a cell that finished frees its temporaries: an abandoned one may still be using them.
        _scopes.Add(scope);
        var next = await run.ConfigureAwait(false);
        _state = next;
        if (next.Exception is not null)
        {
            ExceptionDispatchInfo.Throw(next.Exception);
        }

        return (hasValue, next.ReturnValue);
    }

    /// <summary>Compiles a cell's code as the next submission, rewritten where it needs guards or cancellation checks.</summary>
    private static (Script<object> Script, bool HasValue) Compile(ScriptState<object> state, string code, ScriptOptions options, CancellationToken token)
    {
        var script = state.Script.ContinueWith(code, options);
        var asWritten = script;
        var compilation = script.GetCompilation();
        var tree = compilation.SyntaxTrees.Last();
        var root = tree.GetRoot(token);
        var model = compilation.GetSemanticModel(tree);
        var hasValue = EndsWithValue(model, root);
        var rewritten = root;
        if (TensorGuardRewriter.IsNeeded(rewritten))
        {
            rewritten = new TensorGuardRewriter(model).Visit(rewritten);
        }

        if (CancellationInjector.IsNeeded(rewritten))
        {
            rewritten = new CancellationInjector(model, root).Visit(rewritten);
        }

        if (rewritten != root)
        {
            script = state.Script.ContinueWith(rewritten.ToFullString(), options);
        }

        SubmissionCompiler.Prepare(script, asWritten, token);
        return (script, hasValue);
    }

    // A submission has a value when its last statement is an expression without a semicolon that is not void.
    private static bool EndsWithValue(SemanticModel model, SyntaxNode root) =>
        root is CompilationUnitSyntax { Members: [.., GlobalStatementSyntax { Statement: ExpressionStatementSyntax last }] }
        && last.SemicolonToken.IsMissing
        && model.GetTypeInfo(last.Expression).Type is { SpecialType: not SpecialType.System_Void };

    private static async Task WaitOrAbandonAsync(Task run, CancellationToken token)
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (token.Register(() => cancelled.TrySetResult()))
        {
            if (await Task.WhenAny(run, cancelled.Task).ConfigureAwait(false) == run)
            {
                return;
            }
        }

        if (await Task.WhenAny(run, Task.Delay(InterruptGrace, CancellationToken.None)).ConfigureAwait(false) != run)
        {
            // The code ignores cancellation (a blocking native call, say); its thread keeps running, the
            // notebook state stays that of the previous cell, and the kernel answers again.
            throw new OperationCanceledException(
                $"The cell did not stop within {InterruptGrace.TotalSeconds:0} s of the interrupt; it was abandoned and its variables are lost.", token);
        }
    }
}
