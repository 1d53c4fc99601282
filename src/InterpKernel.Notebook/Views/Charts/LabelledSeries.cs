using System.Text;

namespace InterpKernel.Notebook.Views.Charts;

/// <summary>What charts of named series over shared labels (bars, lines) check and print alike.</summary>
internal static class LabelledSeries
{
    /// <summary>Refuses a missing title, labels or series, and a series without exactly one value per label.</summary>
    /// <param name="title">The chart's title.</param>
    /// <param name="labels">One label per value.</param>
    /// <param name="series">The named series.</param>
    /// <param name="noun">What one series is called in messages ("series", "curve").</param>
    public static void Check(string title, string[] labels, NamedValues[] series, string noun)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(series);
        if (series.Length == 0) throw new ArgumentException($"give at least one named {noun}.", nameof(series));
        foreach (var s in series)
        {
            if (s.Values.Length != labels.Length)
            {
                throw new ArgumentException($"{noun} '{s.Name}' has {s.Values.Length} values for {labels.Length} labels: give one value per label.", nameof(series));
            }
        }
    }

    /// <summary>The title, then one row per label with each series' value in a column.</summary>
    public static string PlainText(string title, string[] labels, NamedValues[] series)
    {
        var text = new StringBuilder(title).AppendLine();
        int width = Math.Max(4, labels.Select(l => l.Length).DefaultIfEmpty(0).Max());
        text.AppendLine(new string(' ', width) + string.Concat(series.Select(s => " " + s.Name.PadLeft(10))));
        for (int i = 0; i < labels.Length; i++)
        {
            text.AppendLine(labels[i].PadRight(width) + string.Concat(series.Select(s => " " + HtmlText.Number(s.Values[i]).PadLeft(10))));
        }
        return text.ToString();
    }
}
