namespace InterpKernel.Notebook.Views;

/// <summary>
/// Where the charts exported with <c>ToPlotly()</c> get plotly.js from. The views themselves are SVG and need none of
/// this. By default the first Plotly output references the Plotly CDN, as XPlot does; <see cref="UseLocalPlotly"/> (or
/// the <c>INTERPKERNEL_PLOTLY_JS</c> environment variable) inlines a local plotly.min.js instead, so the HTML needs no
/// network. Either way the library goes into the first Plotly output of the process only (one notebook session in the
/// kernel, one report in the runner), never into every output.
/// </summary>
public static class PlotlyOptions
{
    /// <summary>Environment variable holding the path of a local plotly.min.js, used when no path was set in code.</summary>
    public const string EnvironmentVariable = "INTERPKERNEL_PLOTLY_JS";

    /// <summary>The CDN address used when no local plotly.js is configured.</summary>
    public const string CdnUrl = "https://cdn.plot.ly/plotly-2.35.2.min.js";

    private static readonly object Gate = new();
    private static string? _explicitPath;
    private static bool _forceCdn;
    private static (string Path, DateTime Written, string Script)? _cached;
    private static bool _libraryWritten;

    /// <summary>Inlines the plotly.js file at <paramref name="pathToPlotlyMinJs"/> into every Plotly view from now on.</summary>
    /// <param name="pathToPlotlyMinJs">Path of plotly.min.js, e.g. node_modules/plotly.js-dist-min/plotly.min.js.</param>
    public static void UseLocalPlotly(string pathToPlotlyMinJs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pathToPlotlyMinJs);
        var full = Path.GetFullPath(pathToPlotlyMinJs);
        if (!File.Exists(full))
        {
            throw new ArgumentException(
                $"plotly.js file '{full}' does not exist: run 'npm install plotly.js-dist-min' and pass node_modules/plotly.js-dist-min/plotly.min.js.",
                nameof(pathToPlotlyMinJs));
        }
        lock (Gate)
        {
            _explicitPath = full;
            _forceCdn = false;
        }
    }

    /// <summary>References the Plotly CDN from now on, even when <c>INTERPKERNEL_PLOTLY_JS</c> is set.</summary>
    public static void UseCdn()
    {
        lock (Gate)
        {
            _explicitPath = null;
            _forceCdn = true;
        }
    }

    /// <summary>Forgets <see cref="UseLocalPlotly"/> and <see cref="UseCdn"/>: the environment variable decides again.</summary>
    public static void Reset()
    {
        lock (Gate)
        {
            _explicitPath = null;
            _forceCdn = false;
            _cached = null;
            _libraryWritten = false;
        }
    }

    /// <summary>The local plotly.js file that will be inlined, or <see langword="null"/> when the CDN is used.</summary>
    public static string? LocalPlotlyPath
    {
        get
        {
            lock (Gate)
            {
                if (_forceCdn) return null;
                if (_explicitPath is not null) return _explicitPath;
            }
            var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
            return string.IsNullOrWhiteSpace(fromEnvironment) ? null : Path.GetFullPath(fromEnvironment);
        }
    }

    /// <summary>The library element for the first Plotly output of the process, and an empty string after it.</summary>
    internal static string LibraryElementOnce()
    {
        lock (Gate)
        {
            if (_libraryWritten) return "";
            _libraryWritten = true;
        }
        return LibraryElement();
    }

    /// <summary>The script element that makes plotly.js available: the inlined local file or the CDN reference.</summary>
    internal static string LibraryElement()
    {
        var path = LocalPlotlyPath;
        if (path is null) return $"<script src=\"{CdnUrl}\" charset=\"utf-8\"></script>";
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"plotly.js file '{path}' (from {(Environment.GetEnvironmentVariable(EnvironmentVariable) is null ? "PlotlyOptions.UseLocalPlotly" : EnvironmentVariable)}) does not exist: run 'npm install plotly.js-dist-min' or point it at an existing plotly.min.js.");
        }
        var written = File.GetLastWriteTimeUtc(path);
        lock (Gate)
        {
            if (_cached is { } c && c.Path == path && c.Written == written) return c.Script;
        }
        // Skipped when an earlier output on the page already loaded it; escaped so the file cannot end the
        // script element early (plotly.min.js has these sequences only inside string literals).
        var source = File.ReadAllText(path).Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase).Replace("<!--", "<\\!--");
        var script = "<script>if(!window.Plotly){\n" + source + "\n}</script>";
        lock (Gate)
        {
            _cached = (path, written, script);
        }
        return script;
    }
}
