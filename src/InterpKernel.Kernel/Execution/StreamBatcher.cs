using System.Text;

namespace InterpKernel.Kernel.Execution;

/// <summary>
/// Gathers what one cell writes to stdout and stderr into few, large stream outputs: text waits up to
/// <see cref="FlushInterval"/> or until <see cref="MaxBatchChars"/> are pending, and a write to the other stream
/// first sends what is pending, so the order of the two streams (and of displays, which flush first) is kept.
/// The sink is called under the batcher's lock: when it blocks (the transport is behind), the cell's writes
/// wait too, so output is slowed, never dropped. Past <see cref="CellEngine.MaxStreamChars"/> characters a
/// stream is cut on purpose: a visible note says where the whole text was written.
/// </summary>
internal sealed class StreamBatcher : IDisposable
{
    /// <summary>How long text may wait before it is sent.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(40);

    /// <summary>Pending text is sent once it is this long.</summary>
    public const int MaxBatchChars = 256 * 1024;

    private readonly IExecutionSink _sink;
    private readonly long _limit;
    private readonly object _gate = new();
    private readonly StringBuilder _pending = new();
    private readonly Timer _timer;
    private readonly Dictionary<string, StreamRecord> _streams = new(StringComparer.Ordinal);
    private string? _pendingName;
    private bool _timerArmed;
    private bool _disposed;

    public StreamBatcher(IExecutionSink sink, long limitChars)
    {
        _sink = sink;
        _limit = limitChars;
        _timer = new Timer(_ => Flush(), null, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Appends text to a stream.</summary>
    public void Write(string name, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        lock (_gate)
        {
            if (_pendingName is not null && _pendingName != name)
            {
                FlushLocked();
            }

            var stream = Stream(name);
            if (stream.Overflow is { } overflow)
            {
                overflow.Write(text);
                return;
            }

            var room = _limit - stream.Sent - _pending.Length;
            if (text.Length > room)
            {
                Truncate(name, stream, text, (int)Math.Max(0, room));
                return;
            }

            _pending.Append(text);
            _pendingName = name;
            if (_pending.Length >= MaxBatchChars)
            {
                FlushLocked();
            }
            else if (!_timerArmed && !_disposed)
            {
                _timerArmed = true;
                _timer.Change(FlushInterval, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Sends what is pending now.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            FlushLocked();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            FlushLocked();
            _disposed = true;
            foreach (var stream in _streams.Values)
            {
                stream.Overflow?.Dispose();
            }
        }

        _timer.Dispose();
    }

    private StreamRecord Stream(string name)
    {
        if (!_streams.TryGetValue(name, out var stream))
        {
            stream = new StreamRecord();
            _streams[name] = stream;
        }

        return stream;
    }

    private void FlushLocked()
    {
        _timerArmed = false;
        if (_pending.Length == 0 || _pendingName is null)
        {
            return;
        }

        var text = _pending.ToString();
        var name = _pendingName;
        _pending.Clear();
        _pendingName = null;
        var stream = Stream(name);
        stream.Sent += text.Length;
        stream.Text.Append(text);
        _sink.Stream(name, text);
    }

    // Sends what fits, writes the whole stream (what was sent and what follows) to a file, and says so.
    private void Truncate(string name, StreamRecord stream, string text, int room)
    {
        _pending.Append(text, 0, room);
        _pendingName = name;
        FlushLocked();
        var folder = Path.Combine(Path.GetTempPath(), "interp-kernel-output");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid():N}"[..24] + $"-{name}.txt");
        var overflow = new StreamWriter(path, append: false, new UTF8Encoding(false));
        overflow.Write(stream.Text.ToString());
        overflow.Write(text.AsSpan(room));
        stream.Overflow = overflow;
        stream.Text.Clear();
        _sink.Stream(name, $"\n[{name} cut after {_limit:N0} characters; the whole {name} of this cell is in {path}]\n");
    }

    private sealed class StreamRecord
    {
        public long Sent { get; set; }

        // What was sent so far, kept so that a cut stream's file holds all of it.
        public StringBuilder Text { get; } = new();

        public StreamWriter? Overflow { get; set; }
    }
}
