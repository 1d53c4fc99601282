using System.Text;

namespace InterpKernel.Kernel.Execution;

/// <summary>
/// The stdout or stderr of a running cell: a text writer that hands what is written to the cell's
/// <see cref="StreamBatcher"/>, which sends it in few, ordered stream outputs.
/// </summary>
internal sealed class StreamingWriter : TextWriter
{
    private readonly StreamBatcher _batcher;
    private readonly string _name;

    public StreamingWriter(StreamBatcher batcher, string name)
    {
        _batcher = batcher;
        _name = name;
    }

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => _batcher.Write(_name, value.ToString());

    public override void Write(string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            _batcher.Write(_name, value);
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine(string? value) => _batcher.Write(_name, value + "\n");

    public override void WriteLine() => _batcher.Write(_name, "\n");

    public override void Flush() => _batcher.Flush();
}
