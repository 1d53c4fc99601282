using System.Globalization;

namespace InterpKernel.Hub;

/// <summary>
/// Prints download progress as one line per file that rewrites itself ("\r"), at most once per interval,
/// and ends it with a newline when the file is complete.
/// </summary>
/// <example>
/// <code>
/// var hub = new HubClient(HubOptions.FromEnvironment() with { Progress = new ConsoleProgress() });
/// </code>
/// </example>
public sealed class ConsoleProgress : IProgress<DownloadProgress>
{
    private readonly TextWriter _writer;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private (string Repo, string File)? _current;
    private long _lastWrite;
    private int _lastLength;

    /// <summary>Creates a progress line on <paramref name="writer"/> (standard error when null).</summary>
    /// <param name="writer">Where the line goes; standard error keeps standard output clean.</param>
    /// <param name="minInterval">Least time between two updates of the same file (default 250 ms).</param>
    /// <param name="timeProvider">Clock for throttling; the system clock when null.</param>
    public ConsoleProgress(TextWriter? writer = null, TimeSpan? minInterval = null, TimeProvider? timeProvider = null)
    {
        if (minInterval is { } i && i < TimeSpan.Zero)
            throw new ArgumentException($"minInterval is {i}: it must be zero or positive.", nameof(minInterval));
        _writer = writer ?? Console.Error;
        _interval = minInterval ?? TimeSpan.FromMilliseconds(250);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Updates the line, unless the last update of the same file was too recent.</summary>
    /// <param name="value">The progress of one file.</param>
    public void Report(DownloadProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            var key = (value.RepoId, value.FileName);
            var now = _time.GetTimestamp();
            var finished = value.BytesTotal is { } total && value.BytesDone >= total;
            var sameFile = _current == key;
            if (sameFile && !finished && _time.GetElapsedTime(_lastWrite, now) < _interval) return;
            if (!sameFile && _current is not null && _lastLength > 0) _writer.WriteLine();

            var line = Format(value);
            _writer.Write('\r' + line + new string(' ', Math.Max(0, _lastLength - line.Length)));
            _lastLength = line.Length;
            _lastWrite = now;
            _current = key;
            if (finished)
            {
                _writer.WriteLine();
                _current = null;
                _lastLength = 0;
            }
            _writer.Flush();
        }
    }

    /// <summary>"gpt2 model.safetensors: 12.3 MB / 548.1 MB (2%)".</summary>
    internal static string Format(DownloadProgress value)
    {
        var head = $"{value.RepoId} {value.FileName}: {Size(value.BytesDone)}";
        return value.BytesTotal is { } total
            ? $"{head} / {Size(total)} ({(value.Fraction ?? 0) * 100:0}%)"
            : head;
    }

    private static string Size(long bytes) => bytes switch
    {
        < 1_000 => bytes.ToString(CultureInfo.InvariantCulture) + " B",
        < 1_000_000 => (bytes / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " kB",
        < 1_000_000_000 => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        _ => (bytes / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " GB",
    };
}
