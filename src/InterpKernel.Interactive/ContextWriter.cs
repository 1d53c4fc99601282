using System.Text;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace InterpKernel.Interactive;

/// <summary>
/// A writer whose text becomes standard output (or error) of the .NET Interactive command that is running when a
/// line ends or the writer is flushed; text written while no command runs goes to the process's console.
/// </summary>
internal sealed class ContextWriter(bool error) : TextWriter
{
    private readonly StringBuilder _pending = new();

    /// <inheritdoc />
    public override Encoding Encoding => Encoding.UTF8;

    /// <inheritdoc />
    public override void Write(char value)
    {
        lock (_pending)
        {
            _pending.Append(value);
        }

        if (value == '\n')
        {
            Flush();
        }
    }

    /// <inheritdoc />
    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        lock (_pending)
        {
            _pending.Append(value);
        }

        if (value.Contains('\n'))
        {
            Flush();
        }
    }

    /// <inheritdoc />
    public override void Flush()
    {
        string text;
        lock (_pending)
        {
            if (_pending.Length == 0)
            {
                return;
            }

            text = _pending.ToString();
            _pending.Clear();
        }

        var context = KernelInvocationContext.Current;
        if (context is null)
        {
            (error ? Console.Error : Console.Out).Write(text);
            return;
        }

        FormattedValue[] values = [new(PlainTextFormatter.MimeType, text)];
        context.Publish(error
            ? new StandardErrorValueProduced(context.Command, values)
            : new StandardOutputValueProduced(context.Command, values));
    }
}
