using InterpKernel.Notebook.Views;
using Microsoft.Data.Analysis;
using TorchSharp;

namespace InterpKernel.Notebook.Tests;

public class TensorViewTests
{
    [Fact]
    public void A_million_element_matrix_becomes_a_small_table_with_edge_items()
    {
        using var t = torch.arange(1_000_000, dtype: torch.float32).reshape(1000, 1000);
        var view = TensorView.From(t);
        Assert.Equal(256, view.ShownCells);
        var doc = Html.Parse(view.ToHtml("tv"));
        var table = doc.GetElementById("tv-slice0")!;
        Assert.Equal("tensor [1000, 1000] · Float32 · cpu", table.QuerySelector("caption")!.TextContent);
        Assert.Equal(17, table.QuerySelectorAll("tbody tr").Length);
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "…", "992", "993", "994", "995", "996", "997", "998", "999"],
            table.QuerySelectorAll("thead th").Skip(1).Select(c => c.TextContent).ToArray());
        var lastRow = table.QuerySelectorAll("tbody tr").Last();
        Assert.Equal("999", lastRow.QuerySelector("th")!.TextContent);
        Assert.Equal("999999", lastRow.QuerySelectorAll("td").Last().TextContent);
        Assert.True(table.QuerySelectorAll("td").Length < 300);
        var text = view.ToPlainText();
        Assert.Contains("999999", text);
        Assert.True(text.Length < 4000);
    }

    [Fact]
    public void Higher_ranks_show_the_first_slices_and_count_the_rest()
    {
        using var t = torch.ones(4, 2, 3, 3, dtype: torch.int32);
        var view = TensorView.From(t);
        var doc = Html.Parse(view.ToHtml("t4"));
        Assert.Equal(3, doc.QuerySelectorAll("table").Length);
        Assert.Contains("slice [0, 1, :, :]", doc.GetElementById("t4-slice1")!.QuerySelector("caption")!.TextContent);
        Assert.Contains("5 more slices", doc.Body!.TextContent);
        Assert.Equal("1", doc.QuerySelector("#t4-slice0 td")!.TextContent);
        Assert.Equal("Int32", view.DType);
    }

    [Fact]
    public void Vectors_scalars_and_booleans_render()
    {
        using var v = torch.tensor(new float[] { 0.5f, -2f, 1e-6f });
        Assert.Equal(["0.5", "-2", "1e-6"], Html.Parse(TensorView.From(v).ToHtml("v")).QuerySelectorAll("td").Select(c => c.TextContent).ToArray());
        using var s = torch.tensor(3.25);
        Assert.Contains("3.25", TensorView.From(s).ToPlainText());
        using var b = torch.tensor(new[] { true, false });
        Assert.Contains("[ True False]", TensorView.From(b).ToPlainText());
    }

    [Fact]
    public void A_dataframe_shows_fifty_rows_and_counts_the_rest()
    {
        var frame = new DataFrame(
            new Int32DataFrameColumn("layer", Enumerable.Range(0, 120)),
            new SingleDataFrameColumn("score", Enumerable.Range(0, 120).Select(i => i / 4f)),
            new StringDataFrameColumn("name", Enumerable.Range(0, 120).Select(i => $"L{i}")));
        var view = DataFrameView.From(frame);
        var doc = Html.Parse(view.ToHtml("df"));
        var rows = doc.QuerySelectorAll("#df-table tbody tr");
        Assert.Equal(50, rows.Length);
        Assert.Equal(["49", "49", "12.25", "L49"], rows[49].Children.Select(c => c.TextContent).ToArray());
        Assert.Contains("70 more rows", doc.Body!.TextContent);
        Assert.Contains("120 rows × 3 columns", doc.QuerySelector("caption")!.TextContent);
    }
}
