namespace InterpKernel.Kernel.Execution;

/// <summary>
/// The console input of a running cell: each line is asked of the sink (in Jupyter, an <c>input_request</c>),
/// after what the cell printed so far is flushed, so that a prompt written with <c>Console.Write</c> shows first.
/// </summary>
internal sealed class CellInputReader : TextReader
{
    private readonly IExecutionSink _sink;
    private readonly TextWriter _output;
    private readonly CancellationToken _token;
    private string? _buffered;
    private int _position;
    private bool _ended;

    public CellInputReader(IExecutionSink sink, TextWriter output, CancellationToken token)
    {
        _sink = sink;
        _output = output;
        _token = token;
    }

    public override string? ReadLine()
    {
        if (_buffered is not null)
        {
            var rest = _buffered[_position..].TrimEnd('\n');
            _buffered = null;
            return rest;
        }

        return Ask();
    }

    public override int Peek() => Fill() ? _buffered![_position] : -1;

    public override int Read()
    {
        if (!Fill())
        {
            return -1;
        }

        var c = _buffered![_position++];
        if (_position == _buffered.Length)
        {
            _buffered = null;
        }

        return c;
    }

    private bool Fill()
    {
        if (_buffered is null && Ask() is { } line)
        {
            _buffered = line + "\n";
            _position = 0;
        }

        return _buffered is not null;
    }

    private string? Ask()
    {
        if (_ended)
        {
            return null;
        }

        _output.Flush();
        var line = _sink.ReadInput("", _token);
        _ended = line is null;
        return line;
    }
}
