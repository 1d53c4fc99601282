using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// A tensor as a table with its shape, dtype and device in the caption. Large dimensions are cut to their edge
/// items with an ellipsis row or column in between, as NumPy prints, and tensors of rank three or more show
/// their first slices, so that at most a few hundred cells are ever rendered. Only those cells are copied.
/// </summary>
public sealed record TensorView : IHtmlView
{
    private const int MaxSlices = 3;

    private TensorView(long[] shape, string dtype, string device, TensorSlice[] slices, long omittedSlices)
    {
        Shape = shape;
        DType = dtype;
        Device = device;
        Slices = slices;
        OmittedSlices = omittedSlices;
    }

    /// <summary>The tensor's shape.</summary>
    public long[] Shape { get; }

    /// <summary>The tensor's element type, such as "Float32".</summary>
    public string DType { get; }

    /// <summary>The device the tensor lives on, such as "cpu" or "cuda:0".</summary>
    public string Device { get; }

    /// <summary>Number of value cells the view shows (ellipses not counted).</summary>
    public int ShownCells => Slices.Sum(s => s.Cells.Sum(r => r.Count(c => c is not null)));

    internal TensorSlice[] Slices { get; }

    internal long OmittedSlices { get; }

    /// <summary>Copies the edge items of <paramref name="tensor"/> needed for display.</summary>
    /// <param name="tensor">Any tensor, on any device; it is not kept.</param>
    public static TensorView From(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.IsInvalid) throw new ArgumentException("the tensor has been disposed: display it before its scope ends.", nameof(tensor));
        using var scope = torch.NewDisposeScope();
        var shape = tensor.shape.ToArray();
        var dtype = tensor.dtype.ToString();
        var device = tensor.device.ToString();
        var values = tensor.detach();
        if (shape.Length == 0)
        {
            return new TensorView(shape, dtype, device, [new TensorSlice("", [], [], [[Format(values.reshape(1, 1))[0][0]]])], 0);
        }
        if (shape.Length == 1)
        {
            return new TensorView(shape, dtype, device, [Slice("", values.unsqueeze(0), 8, 10)], 0);
        }
        if (shape.Length == 2)
        {
            return new TensorView(shape, dtype, device, [Slice("", values, 8, 8)], 0);
        }
        var leading = shape[..^2];
        long count = leading.Aggregate(1L, (a, b) => a * b);
        var slices = new List<TensorSlice>();
        for (long s = 0; s < Math.Min(count, MaxSlices); s++)
        {
            var index = Unravel(s, leading);
            var view = values;
            foreach (var i in index) view = view[i];
            slices.Add(Slice("[" + string.Join(", ", index.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Concat([":", ":"])) + "]", view, 5, 5));
        }
        return new TensorView(shape, dtype, device, slices.ToArray(), Math.Max(0, count - MaxSlices));
    }

    /// <inheritdoc />
    public string ToHtml(string? idPrefix = null)
    {
        var id = ViewIds.Resolve(idPrefix);
        var html = new StringBuilder(ViewAssets.StyleElement());
        html.Append($"<div class=\"ik-view ik-tensor\" id=\"{id}-root\">");
        for (int s = 0; s < Slices.Length; s++)
        {
            var slice = Slices[s];
            html.Append($"<table class=\"ik-table\" id=\"{id}-slice{s}\"><caption>{HtmlText.Encode(Caption())}{(slice.Label.Length > 0 ? " · slice " + HtmlText.Encode(slice.Label) : "")}</caption>");
            if (slice.Columns.Length > 0)
            {
                html.Append("<thead><tr><th></th>");
                foreach (var c in slice.Columns) html.Append(c < 0 ? "<th class=\"ik-ellipsis\">…</th>" : $"<th>{c}</th>");
                html.Append("</tr></thead>");
            }
            html.Append("<tbody>");
            for (int r = 0; r < slice.Cells.Length; r++)
            {
                html.Append("<tr>");
                if (slice.Rows.Length > 0) html.Append(slice.Rows[r] < 0 ? "<th class=\"ik-ellipsis\">⋮</th>" : $"<th>{slice.Rows[r]}</th>");
                foreach (var cell in slice.Cells[r]) html.Append(cell is null ? "<td class=\"ik-ellipsis\">…</td>" : $"<td>{HtmlText.Encode(cell)}</td>");
                html.Append("</tr>");
            }
            html.Append("</tbody></table>");
        }
        if (OmittedSlices > 0) html.Append($"<div class=\"ik-note\">… {OmittedSlices} more slices not shown</div>");
        html.Append("</div>");
        return html.ToString();
    }

    /// <inheritdoc />
    public string ToPlainText()
    {
        var text = new StringBuilder(Caption()).AppendLine();
        foreach (var slice in Slices)
        {
            if (slice.Label.Length > 0) text.AppendLine(slice.Label);
            int width = slice.Cells.SelectMany(r => r).Max(c => c?.Length ?? 1);
            foreach (var row in slice.Cells)
            {
                text.AppendLine(row.Length > 0 && row.All(c => c is null) && slice.Rows.Length > 0
                    ? " ..."
                    : "[" + string.Join(" ", row.Select(c => (c ?? "...").PadLeft(width))) + "]");
            }
        }
        if (OmittedSlices > 0) text.AppendLine($"... {OmittedSlices} more slices");
        return text.ToString();
    }

    private string Caption() => $"tensor [{string.Join(", ", Shape)}] · {DType} · {Device}";

    /// <summary>Edge rows and columns of a 2-D view; -1 marks where the ellipsis goes.</summary>
    private static TensorSlice Slice(string label, Tensor matrix, int rowEdge, int columnEdge)
    {
        var rows = Edges(matrix.shape[0], rowEdge);
        var columns = Edges(matrix.shape[1], columnEdge);
        var rowIndex = torch.tensor(rows.Where(r => r >= 0).ToArray(), device: matrix.device);
        var columnIndex = torch.tensor(columns.Where(c => c >= 0).ToArray(), device: matrix.device);
        var picked = Format(matrix.index_select(0, rowIndex).index_select(1, columnIndex));
        var cells = new string?[rows.Length][];
        int pr = 0;
        for (int r = 0; r < rows.Length; r++)
        {
            cells[r] = new string?[columns.Length];
            if (rows[r] < 0) continue;
            int pc = 0;
            for (int c = 0; c < columns.Length; c++) cells[r][c] = columns[c] < 0 ? null : picked[pr][pc++];
            pr++;
        }
        // A 1-D tensor is shown as one row without row headers.
        return label.Length == 0 && matrix.shape[0] == 1 && rows.Length == 1
            ? new TensorSlice(label, [], columns, cells)
            : new TensorSlice(label, rows, columns, cells);
    }

    private static long[] Edges(long size, int edge) =>
        size <= 2 * edge
            ? Enumerable.Range(0, (int)size).Select(i => (long)i).ToArray()
            : Enumerable.Range(0, edge).Select(i => (long)i).Append(-1).Concat(Enumerable.Range(0, edge).Select(i => size - edge + i)).ToArray();

    private static long[] Unravel(long flat, long[] dims)
    {
        var index = new long[dims.Length];
        for (int d = dims.Length - 1; d >= 0; d--)
        {
            index[d] = flat % dims[d];
            flat /= dims[d];
        }
        return index;
    }

    /// <summary>Text of every element of a small 2-D tensor.</summary>
    private static string[][] Format(Tensor matrix)
    {
        int rows = (int)matrix.shape[0], cols = (int)matrix.shape[1];
        var cpu = matrix.cpu().contiguous();
        Func<int, string> cell;
        if (cpu.dtype == ScalarType.Bool)
        {
            var b = cpu.data<bool>().ToArray();
            cell = i => b[i] ? "True" : "False";
        }
        else if (torch.is_integral(cpu.dtype))
        {
            var l = cpu.to(ScalarType.Int64).data<long>().ToArray();
            cell = i => l[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (torch.is_complex(cpu.dtype))
        {
            var parts = torch.view_as_real(cpu.to(ScalarType.ComplexFloat64)).contiguous().data<double>().ToArray();
            cell = i => HtmlText.Number(parts[2 * i]) + (parts[2 * i + 1] < 0 ? "-" : "+") + HtmlText.Number(Math.Abs(parts[2 * i + 1])) + "j";
        }
        else
        {
            var d = cpu.to(ScalarType.Float64).data<double>().ToArray();
            cell = i => HtmlText.Number(d[i]);
        }
        return Enumerable.Range(0, rows).Select(r => Enumerable.Range(0, cols).Select(c => cell(r * cols + c)).ToArray()).ToArray();
    }
}

/// <summary>One displayed 2-D slice: row and column indices (-1 for the ellipsis) and cell texts (null for the ellipsis).</summary>
internal sealed record TensorSlice(string Label, long[] Rows, long[] Columns, string?[][] Cells);
