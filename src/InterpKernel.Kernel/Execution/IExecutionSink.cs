namespace InterpKernel.Kernel.Execution;

/// <summary>
/// Where the outputs of a running cell go: the Jupyter kernel publishes them on iopub, the headless
/// runner collects them into the notebook file.
/// </summary>
public interface IExecutionSink
{
    /// <summary>Text written to the cell's standard output (<c>stdout</c>) or error (<c>stderr</c>).</summary>
    /// <param name="name"><c>stdout</c> or <c>stderr</c>.</param>
    /// <param name="text">The text, usually one or more whole lines.</param>
    void Stream(string name, string text);

    /// <summary>A rich output shown with <c>display(...)</c>, or the replacement of an earlier one.</summary>
    /// <param name="bundle">MIME type to representation.</param>
    /// <param name="displayId">The id shared by an output and its updates.</param>
    /// <param name="update">True when this replaces the output shown earlier under <paramref name="displayId"/>.</param>
    void Display(IReadOnlyDictionary<string, string> bundle, string displayId, bool update);

    /// <summary>The value of the cell's last expression.</summary>
    /// <param name="bundle">MIME type to representation.</param>
    void Result(IReadOnlyDictionary<string, string> bundle);

    /// <summary>Clears what the cell showed so far, as Jupyter's <c>clear_output</c>.</summary>
    /// <param name="wait">True to clear only when the next output arrives (no flicker in loops that redraw).</param>
    void ClearOutput(bool wait)
    {
    }

    /// <summary>
    /// A line the user types, asked for when the cell reads the console (<c>Console.ReadLine()</c>); null when
    /// the sink cannot ask, which the cell reads as the end of input.
    /// </summary>
    /// <param name="prompt">The text shown next to the input box.</param>
    /// <param name="cancellationToken">Cancelled when the cell is interrupted.</param>
    string? ReadInput(string prompt, CancellationToken cancellationToken) => null;

    /// <summary>The cell failed.</summary>
    /// <param name="error">What failed, with a traceback.</param>
    void Error(CellError error);
}
