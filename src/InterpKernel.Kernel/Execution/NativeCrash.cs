using System.Runtime.InteropServices;
using InterpKernel.Kernel.Transport;

namespace InterpKernel.Kernel.Execution;

/// <summary>
/// Reports a C++ exception that escapes native code (TorchSharp lets some through) before the process ends. Such an
/// exception cannot be caught by .NET: the C++ runtime calls <c>std::terminate</c>, which aborts the process. The
/// handler installed here runs first: it names the exception and its message, hands them to the reporter of the
/// cell that is running (which tells the front end), and then lets the process abort as it would have.
/// </summary>
internal static unsafe partial class NativeCrash
{
    private const string CxxRuntime = "libstdc++.so.6";
    private static Action<NativeException>? _reporter;
    private static int _installed;
    private static int _terminating;

    /// <summary>What is known of the native exception that ends the process.</summary>
    /// <param name="Type">The C++ type, demangled (for example <c>c10::Error</c>); null when unknown.</param>
    /// <param name="Message">What its <c>what()</c> says, when it is a standard exception.</param>
    internal sealed record NativeException(string? Type, string? Message)
    {
        /// <summary>One line: type and the first line of the message.</summary>
        public string Summary => (Type ?? "an unknown C++ exception")
            + (Message is { Length: > 0 } m ? ": " + m.Split('\n')[0].Trim() : "");

        /// <summary>The error a front end shows for the cell that crashed: the exception, the cell's code, the native message.</summary>
        /// <param name="code">The code of the cell that was running.</param>
        public CellError ToCellError(string code)
        {
            var value = $"{Summary}. A C++ exception escaped native code, where .NET cannot catch it: the process is " +
                "exiting and the notebook's variables are lost; restart the kernel and run the cells again.";
            var traceback = new List<string> { $"NativeCrash: {value}", "", "The cell that was running:" };
            traceback.AddRange(code.Split('\n').Take(MaxLines).Select(l => "    " + l.TrimEnd('\r')));
            if (Message is { Length: > 0 } message)
            {
                traceback.Add("");
                traceback.Add("Native message:");
                traceback.AddRange(message.Split('\n').Take(MaxLines).Select(l => "    " + l));
            }

            return new CellError("NativeCrash", value, traceback);
        }
    }

    // Lines of the cell and of the native message quoted in the error.
    private const int MaxLines = 40;

    /// <summary>
    /// Installs the terminate handler once per process; false where the C++ runtime is not found (only Linux with
    /// libstdc++ is supported).
    /// </summary>
    public static bool Install()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        if (Interlocked.Exchange(ref _installed, 1) == 1)
        {
            return true;
        }

        try
        {
            SetTerminate(&OnTerminate);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _installed = 0;
            return false;
        }
    }

    /// <summary>Routes a native crash to <paramref name="reporter"/> until the result is disposed.</summary>
    /// <param name="reporter">Tells the front end; runs on the crashing thread, and the process ends when it returns.</param>
    public static IDisposable Report(Action<NativeException> reporter)
    {
        var previous = Interlocked.Exchange(ref _reporter, reporter);
        return new Registration(reporter, previous);
    }

    [UnmanagedCallersOnly]
    private static void OnTerminate()
    {
        // A second terminate while reporting (or on another thread) aborts at once.
        if (Interlocked.Exchange(ref _terminating, 1) == 1)
        {
            return;
        }

        try
        {
            var exception = Current();
            // What the C++ runtime's own handler would have printed, so that the process's log keeps it.
            // (Console.Error may be a cell's stream at this point; the log writes to the process's own.)
            KernelLog.Write($"terminate called after throwing an instance of '{exception.Type ?? "unknown"}'"
                + (exception.Message is { } message ? $"\n  what():  {message}" : ""));

            Volatile.Read(ref _reporter)?.Invoke(exception);
        }
        catch (Exception e)
        {
            KernelLog.Write($"Reporting a native crash failed: {e}");
        }
        // Returning lets the C++ runtime abort the process.
    }

    private static NativeException Current()
    {
        var typeInfo = CurrentExceptionType();
        if (typeInfo == IntPtr.Zero)
        {
            return new NativeException(null, null);
        }

        // An Itanium-ABI std::type_info is a vtable pointer followed by the mangled name.
        var mangled = Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(typeInfo, IntPtr.Size))?.TrimStart('*');
        var type = Demangle(mangled) ?? mangled;
        return new NativeException(type, IsStandardException(type) ? What() : null);
    }

    // Types known to derive from std::exception at offset 0 (single inheritance), whose what() may be called.
    private static bool IsStandardException(string? type) =>
        RuntimeInformation.ProcessArchitecture == Architecture.X64
        && type is not null
        && (type.StartsWith("c10::", StringComparison.Ordinal) || type.StartsWith("std::", StringComparison.Ordinal));

    private static string? What()
    {
        // std::current_exception returns a std::exception_ptr (one pointer to the thrown object) through a hidden
        // result pointer; on x86-64 that pointer is the first argument.
        IntPtr thrown;
        CurrentException(&thrown);
        if (thrown == IntPtr.Zero)
        {
            return null;
        }

        // what() is the third slot of std::exception's vtable, after the two destructors.
        var vtable = *(IntPtr**)thrown;
        var what = (delegate* unmanaged<IntPtr, IntPtr>)vtable[2];
        return Marshal.PtrToStringUTF8(what(thrown));
    }

    private static string? Demangle(string? mangled)
    {
        if (mangled is null)
        {
            return null;
        }

        var name = Marshal.StringToCoTaskMemUTF8(mangled);
        try
        {
            int status;
            var demangled = CxaDemangle(name, IntPtr.Zero, IntPtr.Zero, &status);
            // The buffer is malloc'd by the C++ runtime; the process is ending, so it is not freed.
            return status == 0 && demangled != IntPtr.Zero ? Marshal.PtrToStringUTF8(demangled) : null;
        }
        finally
        {
            Marshal.FreeCoTaskMem(name);
        }
    }

    [LibraryImport(CxxRuntime, EntryPoint = "_ZSt13set_terminatePFvvE")]
    private static partial IntPtr SetTerminate(delegate* unmanaged<void> handler);

    [LibraryImport(CxxRuntime, EntryPoint = "__cxa_current_exception_type")]
    private static partial IntPtr CurrentExceptionType();

    [LibraryImport(CxxRuntime, EntryPoint = "_ZSt17current_exceptionv")]
    private static partial void CurrentException(IntPtr* result);

    [LibraryImport(CxxRuntime, EntryPoint = "__cxa_demangle")]
    private static partial IntPtr CxaDemangle(IntPtr mangled, IntPtr buffer, IntPtr length, int* status);

    private sealed class Registration(Action<NativeException> reporter, Action<NativeException>? previous) : IDisposable
    {
        public void Dispose() => Interlocked.CompareExchange(ref _reporter, previous, reporter);
    }
}
