using System.Text;

namespace InterpKernel.Kernel.Execution;

/// <summary>
/// A text writer that forwards what a cell writes to an <see cref="IExecutionSink"/> stream as it is
/// written: at every newline, and after a short interval for text without one (progress output).
/// </summary>
internal sealed class StreamingWriter : TextWriter
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(50);

    private readonly IExecutionSink _sink;
    private readonly string _name;
    private readonly StringBuilder _pending = new();
    private readonly object _gate = new();
    private readonly Timer _timer;

    public StreamingWriter(IExecutionSink sink, string name)
    {
        _sink = sink;
        _name = name;
        _timer = new Timer(_ => Flush(), null, Timeout.Infinite, Timeout.Infinite);
    }

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_gate)
        {
            _pending.Append(value);
            AfterWrite(value == '\n');
        }
    }

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        lock (_gate)
        {
            _pending.Append(value);
            AfterWrite(value.Contains('\n'));
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Flush()
    {
        string text;
        lock (_gate)
        {
            if (_pending.Length == 0)
            {
                return;
            }

            text = _pending.ToString();
            _pending.Clear();
        }

        _sink.Stream(_name, text);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _timer.Dispose();
            Flush();
        }

        base.Dispose(disposing);
    }

    private void AfterWrite(bool sawNewline)
    {
        if (sawNewline)
        {
            // Send whole lines now, keep a trailing partial line for the timer.
            var text = _pending.ToString();
            var cut = text.LastIndexOf('\n') + 1;
            _pending.Remove(0, cut);
            _sink.Stream(_name, text[..cut]);
        }

        if (_pending.Length > 0)
        {
            _timer.Change(FlushInterval, Timeout.InfiniteTimeSpan);
        }
    }
}
