using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using InterpKernel.Kernel.Execution;
using InterpKernel.Kernel.Handlers;
using InterpKernel.Kernel.Protocol;
using InterpKernel.Kernel.Transport;

namespace InterpKernel.Kernel;

/// <summary>
/// The Jupyter kernel: transport, message codec, handler table and cell engine wired together. Shell
/// requests are served one after another on one worker thread, control requests on another, so an interrupt
/// or a shutdown is answered while a cell runs.
/// </summary>
public sealed class JupyterKernel : IDisposable
{
    private readonly string _session = Guid.NewGuid().ToString();
    private readonly CellEngine _engine = new();
    private readonly KernelTransport _transport;
    private readonly MessageDispatcher _dispatcher;
    private readonly History.HistoryStore _history;
    private readonly BlockingCollection<(Channel Channel, JupyterMessage Message, long Arrival)> _shellQueue = new();
    private readonly BlockingCollection<(Channel Channel, JupyterMessage Message, long Arrival)> _controlQueue = new();
    private readonly CancellationTokenSource _stopping = new();
    private long _arrivals;
    private TaskCompletionSource<string>? _pendingInput;

    /// <summary>Binds the sockets of a connection file.</summary>
    /// <param name="connection">The connection info Jupyter wrote.</param>
    public JupyterKernel(ConnectionInfo connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var history = _history = new History.HistoryStore();
        _dispatcher = new MessageDispatcher(
        [
            new KernelInfoHandler(), new ExecuteHandler(_engine, () => Interlocked.Read(ref _arrivals), history), new IsCompleteHandler(), new CompleteHandler(_engine),
            new InspectHandler(_engine), new InterruptHandler(_engine), new ShutdownHandler(Stop), new CommInfoHandler(),
            new HistoryHandler(history),
        ]);
        _transport = new KernelTransport(connection, new WireCodec(new MessageSigner(connection.Key)), Enqueue);
        // A C++ exception that escapes native code ends the process; the cell that ran is told so first.
        if (!NativeCrash.Install())
        {
            KernelLog.Write("No C++ terminate handler could be installed: a native crash will end the kernel without a report.");
        }
    }

    /// <summary>Serves requests until a shutdown request arrives.</summary>
    public void Run()
    {
        var shell = StartWorker(_shellQueue, "shell");
        var control = StartWorker(_controlQueue, "control");
        using var parentWatch = WatchParentProcess();
        _transport.Send(Channel.IOPub, JupyterMessage.Create("status", new JsonObject { ["execution_state"] = "starting" }, _session, null));
        _transport.Run();
        _shellQueue.CompleteAdding();
        _controlQueue.CompleteAdding();
        control.Join(TimeSpan.FromSeconds(1));
        shell.Join(TimeSpan.FromSeconds(1));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _engine.Dispose();
        _history.Flush();
        _transport.Dispose();
        _stopping.Dispose();
        _shellQueue.Dispose();
        _controlQueue.Dispose();
    }

    private void Stop()
    {
        _stopping.Cancel();
        _engine.Interrupt();
        _transport.Stop();
    }

    // Jupyter passes its process id in JPY_PARENT_PID; a kernel whose front end died (crashed, killed) exits
    // instead of lingering with its sockets bound.
    private Timer? WatchParentProcess()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("JPY_PARENT_PID"), out var parentId) || parentId <= 1)
        {
            return null;
        }

        return new Timer(_ =>
        {
            try
            {
                using var parent = System.Diagnostics.Process.GetProcessById(parentId);
                if (!parent.HasExited)
                {
                    return;
                }
            }
            catch (ArgumentException)
            {
                // No process with that id any more.
            }

            KernelLog.Write($"Parent process {parentId} is gone; shutting down.");
            Stop();
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    private void Enqueue(Channel channel, JupyterMessage message)
    {
        // The shell worker is busy with the cell that asked for input, so replies on stdin are taken here.
        if (channel == Channel.Stdin)
        {
            if (message.MessageType == "input_reply")
            {
                Interlocked.Exchange(ref _pendingInput, null)?.TrySetResult((string?)message.Content["value"] ?? "");
            }

            return;
        }

        var queue = channel == Channel.Control ? _controlQueue : _shellQueue;
        if (!queue.IsAddingCompleted)
        {
            queue.Add((channel, message, Interlocked.Increment(ref _arrivals)));
        }
    }

    // Sends input_request on stdin to the client that sent the request (its stdin socket shares the shell
    // socket's identity) and blocks the cell until the input_reply arrives, the cell is interrupted, or the kernel stops.
    private string AskInput(JupyterMessage request, string prompt, CancellationToken token)
    {
        var pending = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _pendingInput, pending);
        try
        {
            _transport.Send(Channel.Stdin, JupyterMessage.Create("input_request",
                new JsonObject { ["prompt"] = prompt, ["password"] = false }, _session, request, request.Identities));
            using var either = CancellationTokenSource.CreateLinkedTokenSource(token, _stopping.Token);
            return pending.Task.WaitAsync(either.Token).GetAwaiter().GetResult();
        }
        finally
        {
            Interlocked.CompareExchange(ref _pendingInput, null, pending);
        }
    }

    private Thread StartWorker(BlockingCollection<(Channel Channel, JupyterMessage Message, long Arrival)> queue, string name)
    {
        var thread = new Thread(() =>
        {
            foreach (var (channel, message, arrival) in queue.GetConsumingEnumerable())
            {
                try
                {
                    _dispatcher.DispatchAsync(new RequestContext(message, channel, _session, _transport.Send)
                    {
                        Arrival = arrival,
                        Flush = _transport.Flush,
                        RequestInput = (prompt, token) => AskInput(message, prompt, token),
                    }).GetAwaiter().GetResult();
                }
                catch (Exception e)
                {
                    KernelLog.Write($"Request '{message.MessageType}' on {channel} failed outside its handler: {e}");
                }
            }
        })
        {
            IsBackground = true,
            Name = $"interp-kernel {name}",
        };
        thread.Start();
        return thread;
    }
}
