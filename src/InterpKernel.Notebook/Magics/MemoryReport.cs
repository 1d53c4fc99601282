using System.Globalization;
using InterpKernel.Notebook.Hosting;
using InterpKernel.Notebook.Views;
using Microsoft.Data.Analysis;
using TorchSharp;

namespace InterpKernel.Notebook.Magics;

/// <summary>
/// The tensors a notebook's variables reach and their bytes per device, with the process's memory: what
/// <c>#!memory</c> shows. A tensor's bytes are its elements times their size, so a view counts as much as a copy.
/// </summary>
/// <param name="Variables">One line per variable that reaches a tensor, in declaration order.</param>
/// <param name="Totals">Bytes per device of every reached tensor, each counted once.</param>
/// <param name="ReachedTensors">How many distinct tensors the variables reach.</param>
/// <param name="Complete">False when a variable's object graph was too large to walk to the end.</param>
internal sealed record MemoryReport(IReadOnlyList<MemoryReport.Line> Variables, IReadOnlyDictionary<string, long> Totals, int ReachedTensors, bool Complete)
{
    /// <summary>One variable: its name, type, how many tensors it reaches and their bytes per device.</summary>
    internal sealed record Line(string Name, string Type, int Tensors, IReadOnlyDictionary<string, long> Bytes);

    /// <summary>Walks from each variable to the tensors it reaches.</summary>
    public static MemoryReport Of(IEnumerable<KeyValuePair<string, object?>> variables)
    {
        var lines = new List<Line>();
        var all = new HashSet<torch.Tensor>(ReferenceEqualityComparer.Instance);
        var complete = true;
        foreach (var (name, value) in variables)
        {
            var walk = ReachableTensors.From([value]);
            complete &= walk.Complete;
            var live = walk.Tensors.Where(t => !t.IsInvalid).ToList();
            if (live.Count == 0) continue;
            all.UnionWith(live);
            lines.Add(new Line(name, TypeName(value!.GetType()), live.Count, BytesPerDevice(live)));
        }

        return new MemoryReport(lines, BytesPerDevice(all), all.Count, complete);
    }

    /// <summary>The variables as a table, one column of bytes per device.</summary>
    public DataFrameView Table()
    {
        var devices = Totals.Keys.Order(StringComparer.Ordinal).ToList();
        var columns = new List<DataFrameColumn>
        {
            new StringDataFrameColumn("variable", Variables.Select(v => v.Name)),
            new StringDataFrameColumn("type", Variables.Select(v => v.Type)),
            new Int32DataFrameColumn("tensors", Variables.Select(v => (int?)v.Tensors)),
        };
        columns.AddRange(devices.Select(d => new StringDataFrameColumn($"{d} bytes", Variables.Select(v => Size(v.Bytes.GetValueOrDefault(d))))));
        return DataFrameView.From(new DataFrame(columns), Math.Max(1, Variables.Count));
    }

    /// <summary>The totals and the process's memory as a summary table.</summary>
    public SummaryTableView Summary()
    {
        var rows = new List<SummaryRow>
        {
            new("tensors reached", ReachedTensors.ToString(CultureInfo.InvariantCulture),
                Complete ? "distinct tensors that some variable reaches" : "at least: a variable's objects were too many to walk to the end"),
        };
        rows.AddRange(Totals.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new SummaryRow($"bytes on {p.Key}", Size(p.Value), "elements × element size of the reached tensors")));
        rows.Add(new("live tensors", torch.Tensor.TotalCount.ToString(CultureInfo.InvariantCulture),
            "every tensor of the process not yet disposed, reached or not"));
        rows.Add(new("managed heap", Size(GC.GetTotalMemory(forceFullCollection: false)), ".NET objects; tensor data lives outside it"));
        rows.Add(new("resident memory", Size(Environment.WorkingSet), "the process's RSS: managed heap, native tensors, code"));
        if (torch.cuda.is_available())
        {
            rows.Add(new("CUDA devices", torch.cuda.device_count().ToString(CultureInfo.InvariantCulture),
                "TorchSharp does not expose the CUDA caching allocator's figures; the bytes above count the tensors"));
        }

        return new SummaryTableView("Memory", [.. rows]);
    }

    private static Dictionary<string, long> BytesPerDevice(IEnumerable<torch.Tensor> tensors)
    {
        var bytes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var tensor in tensors)
        {
            var device = tensor.device.ToString();
            bytes[device] = bytes.GetValueOrDefault(device) + tensor.NumberOfElements * tensor.ElementSize;
        }

        return bytes;
    }

    /// <summary>Bytes in binary units: 512 B, 1.0 KiB, 3.4 MiB.</summary>
    internal static string Size(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }

    private static string TypeName(Type type) => type.IsGenericType
        ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>"
        : type.Name;
}
