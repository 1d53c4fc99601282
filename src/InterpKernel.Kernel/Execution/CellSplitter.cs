using InterpKernel.Notebook.Hosting;

namespace InterpKernel.Kernel.Execution;

/// <summary>Splits a cell into magic command lines and blocks of C#, in order.</summary>
public static class CellSplitter
{
    /// <summary>Splits the cell text; blank C# blocks are dropped.</summary>
    /// <param name="cell">The cell source.</param>
    public static IReadOnlyList<CellSegment> Split(string cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        var lines = cell.Replace("\r\n", "\n").Split('\n');
        var segments = new List<CellSegment>();
        var codeStart = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            if (!MagicDispatcher.IsMagicLine(lines[i]))
            {
                continue;
            }

            AddCode(segments, lines, codeStart, i);
            segments.Add(new CellSegment(true, lines[i].Trim(), i));
            codeStart = i + 1;
        }

        AddCode(segments, lines, codeStart, lines.Length);
        return segments;
    }

    private static void AddCode(List<CellSegment> segments, string[] lines, int start, int end)
    {
        if (end <= start)
        {
            return;
        }

        var code = string.Join('\n', lines, start, end - start);
        if (!string.IsNullOrWhiteSpace(code))
        {
            segments.Add(new CellSegment(false, code, start));
        }
    }
}
