using System.Text;

namespace InterpKernel.Kernel.Execution;

/// <summary>
/// Console.Out, Console.Error and Console.In are process-wide, so they are replaced once by writers (and a
/// reader) that forward to whichever cell is running; between cells they are the process's own streams.
/// </summary>
internal static class ConsoleRouter
{
    private static readonly object Gate = new();
    private static readonly ForwardingWriter OutRoute = new();
    private static readonly ForwardingWriter ErrorRoute = new();
    private static readonly ForwardingReader InRoute = new();
    private static bool _installed;

    /// <summary>Routes the console to the given writers until the returned scope is disposed.</summary>
    public static IDisposable Route(TextWriter output, TextWriter error, TextReader input)
    {
        lock (Gate)
        {
            if (!_installed)
            {
                OutRoute.Target = Console.Out;
                ErrorRoute.Target = Console.Error;
                OutRoute.Fallback = Console.Out;
                ErrorRoute.Fallback = Console.Error;
                Console.SetOut(OutRoute);
                Console.SetError(ErrorRoute);
                InRoute.Target = Console.In;
                InRoute.Fallback = Console.In;
                Console.SetIn(InRoute);
                _installed = true;
            }

            OutRoute.Target = output;
            ErrorRoute.Target = error;
            InRoute.Target = input;
        }

        return new Restore();
    }

    private sealed class Restore : IDisposable
    {
        public void Dispose()
        {
            lock (Gate)
            {
                OutRoute.Target = OutRoute.Fallback;
                ErrorRoute.Target = ErrorRoute.Fallback;
                InRoute.Target = InRoute.Fallback;
            }
        }
    }

    private sealed class ForwardingWriter : TextWriter
    {
        private volatile TextWriter _target = Null;

        public TextWriter Target
        {
            get => _target;
            set => _target = value;
        }

        public TextWriter Fallback { get; set; } = Null;

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value) => _target.Write(value);

        public override void Write(string? value) => _target.Write(value);

        public override void Write(char[] buffer, int index, int count) => _target.Write(buffer, index, count);

        public override void WriteLine(string? value) => _target.Write(value + "\n");

        public override void WriteLine() => _target.Write("\n");

        public override void Flush() => _target.Flush();
    }

    private sealed class ForwardingReader : TextReader
    {
        private volatile TextReader _target = Null;

        public TextReader Target
        {
            get => _target;
            set => _target = value;
        }

        public TextReader Fallback { get; set; } = Null;

        public override int Peek() => _target.Peek();

        public override int Read() => _target.Read();

        public override string? ReadLine() => _target.ReadLine();
    }
}
