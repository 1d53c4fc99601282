namespace InterpKernel.Kernel.Transport;

/// <summary>
/// The kernel's own diagnostics on the process's standard error. Console.Error is redirected to cells while
/// they run, so the log writes to the raw stream instead.
/// </summary>
internal static class KernelLog
{
    private static readonly TextWriter Writer = TextWriter.Synchronized(
        new StreamWriter(Console.OpenStandardError()) { AutoFlush = true });

    public static void Write(string message) => Writer.WriteLine($"[interp-kernel {DateTime.Now:HH:mm:ss.fff}] {message}");
}
