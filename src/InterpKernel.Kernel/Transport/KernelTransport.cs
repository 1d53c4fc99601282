using InterpKernel.Kernel.Protocol;
using NetMQ;
using NetMQ.Sockets;

namespace InterpKernel.Kernel.Transport;

/// <summary>
/// The ZeroMQ side of the kernel: binds the five sockets of a connection file, decodes what arrives on
/// shell, control and stdin, and sends replies and broadcasts. NetMQ sockets belong to one thread, so every
/// send from any thread is queued and performed by the poller thread; the heartbeat echoes on its own thread.
/// Nothing published is dropped: iopub has no high-water mark (ZeroMQ's PUB socket would silently drop past it),
/// and a sender waits while <see cref="MaxQueuedBroadcasts"/> broadcasts are queued, so a cell that prints
/// faster than the front end reads is slowed down instead of losing output.
/// </summary>
public sealed class KernelTransport : IDisposable
{
    private readonly WireCodec _codec;
    private readonly RouterSocket _shell = new();
    private readonly RouterSocket _control = new();
    private readonly RouterSocket _stdin = new();
    private readonly PublisherSocket _iopub = new();
    private readonly ResponseSocket _heartbeat = new();
    private readonly NetMQQueue<Action> _outbox = new();
    private readonly NetMQPoller _poller;
    private readonly Thread _heartbeatThread;
    private readonly SemaphoreSlim _broadcastSlots = new(MaxQueuedBroadcasts, MaxQueuedBroadcasts);
    private volatile bool _stopping;

    /// <summary>How many iopub messages may wait for the poller thread before <see cref="Send"/> blocks.</summary>
    public const int MaxQueuedBroadcasts = 256;

    /// <summary>Binds the sockets named in the connection info.</summary>
    /// <param name="connection">Where to bind.</param>
    /// <param name="codec">Encodes and verifies messages.</param>
    /// <param name="received">Called on the poller thread with every well-formed, correctly signed message.</param>
    public KernelTransport(ConnectionInfo connection, WireCodec codec, Action<Channel, JupyterMessage> received)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _codec = codec;
        foreach (var socket in new NetMQSocket[] { _shell, _control, _stdin, _iopub, _heartbeat })
        {
            socket.Options.Linger = TimeSpan.FromSeconds(1);
        }

        _iopub.Options.SendHighWatermark = 0;

        _shell.Bind(connection.Endpoint(connection.ShellPort));
        _control.Bind(connection.Endpoint(connection.ControlPort));
        _stdin.Bind(connection.Endpoint(connection.StdinPort));
        _iopub.Bind(connection.Endpoint(connection.IopubPort));
        _heartbeat.Bind(connection.Endpoint(connection.HeartbeatPort));

        _shell.ReceiveReady += (_, e) => Receive(Channel.Shell, e.Socket, received);
        _control.ReceiveReady += (_, e) => Receive(Channel.Control, e.Socket, received);
        _stdin.ReceiveReady += (_, e) => Receive(Channel.Stdin, e.Socket, received);
        _outbox.ReceiveReady += (_, e) =>
        {
            while (e.Queue.TryDequeue(out var send, TimeSpan.Zero))
            {
                send();
            }
        };
        _poller = new NetMQPoller { _shell, _control, _stdin, _outbox };
        _heartbeatThread = new Thread(Heartbeat) { IsBackground = true, Name = "interp-kernel heartbeat" };
    }

    /// <summary>Sends a message on shell, control, stdin or iopub; safe from any thread.</summary>
    /// <param name="channel">The channel.</param>
    /// <param name="message">The message.</param>
    public void Send(Channel channel, JupyterMessage message)
    {
        var frames = _codec.Encode(message);
        NetMQSocket socket = channel switch
        {
            Channel.Shell => _shell,
            Channel.Control => _control,
            Channel.Stdin => _stdin,
            _ => _iopub,
        };
        if (channel != Channel.IOPub)
        {
            _outbox.Enqueue(() => socket.SendMultipartBytes(frames));
            return;
        }

        // Subscribers filter on the first frame; Jupyter uses kernel.<session>.<msg_type>.
        frames.Insert(0, System.Text.Encoding.UTF8.GetBytes($"kernel.{message.Header["session"]}.{message.MessageType}"));
        while (!_broadcastSlots.Wait(TimeSpan.FromMilliseconds(200)))
        {
            if (_stopping)
            {
                return;
            }
        }

        _outbox.Enqueue(() =>
        {
            _broadcastSlots.Release();
            socket.SendMultipartBytes(frames);
        });
    }

    /// <summary>
    /// Waits until the poller thread has handed every message sent so far to ZeroMQ, and then a moment for ZeroMQ
    /// to write them out; at most <paramref name="timeout"/> for the first. For a process about to end abruptly.
    /// </summary>
    /// <param name="timeout">The longest wait for the poller thread.</param>
    public void Flush(TimeSpan timeout)
    {
        // Not disposed: after a timeout the poller may still set it.
        var sent = new ManualResetEventSlim();
        _outbox.Enqueue(sent.Set);
        if (sent.Wait(timeout))
        {
            Thread.Sleep(FlushGrace);
        }
    }

    // How long ZeroMQ's I/O thread is given to write out what the poller handed it.
    private static readonly TimeSpan FlushGrace = TimeSpan.FromMilliseconds(250);

    /// <summary>Serves the sockets on the calling thread until <see cref="Stop"/>.</summary>
    public void Run()
    {
        _heartbeatThread.Start();
        _poller.Run();
    }

    /// <summary>Stops serving after the messages queued so far are sent.</summary>
    public void Stop()
    {
        _stopping = true;
        _outbox.Enqueue(() => _poller.StopAsync());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping = true;
        if (_poller.IsRunning)
        {
            _poller.Stop();
        }

        _heartbeatThread.Join(TimeSpan.FromSeconds(1));
        _poller.Dispose();
        _outbox.Dispose();
        _broadcastSlots.Dispose();
        foreach (var socket in new NetMQSocket[] { _shell, _control, _stdin, _iopub, _heartbeat })
        {
            socket.Dispose();
        }
    }

    private void Receive(Channel channel, NetMQSocket socket, Action<Channel, JupyterMessage> received)
    {
        var frames = new List<byte[]>();
        while (socket.TryReceiveMultipartBytes(TimeSpan.Zero, ref frames))
        {
            try
            {
                received(channel, _codec.Decode(frames));
            }
            catch (WireFormatException e)
            {
                KernelLog.Write($"Dropped a message on {channel}: {e.Message}");
            }
            catch (Exception e)
            {
                // The loop never dies: a handler bug is logged and the next message is served.
                KernelLog.Write($"Failed to dispatch a message on {channel}: {e}");
            }

            frames = new List<byte[]>();
        }
    }

    private void Heartbeat()
    {
        var frames = new List<byte[]>();
        while (!_stopping)
        {
            try
            {
                if (_heartbeat.TryReceiveMultipartBytes(TimeSpan.FromMilliseconds(200), ref frames))
                {
                    _heartbeat.SendMultipartBytes(frames);
                    frames = new List<byte[]>();
                }
            }
            catch (Exception e) when (e is NetMQException or ObjectDisposedException)
            {
                if (!_stopping)
                {
                    KernelLog.Write($"Heartbeat error: {e.Message}");
                }
            }
        }
    }
}
