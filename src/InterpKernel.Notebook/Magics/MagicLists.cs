using System.Globalization;
using InterpKernel.Notebook.Hosting;

namespace InterpKernel.Notebook.Magics;

/// <summary>Parses the comma-separated lists that magic options take.</summary>
internal static class MagicLists
{
    /// <summary>The integers of a list such as <c>0,3</c>, distinct and in the given order.</summary>
    /// <exception cref="MagicCommandException">An item is not an integer.</exception>
    public static int[] Integers(IKernelHost host, string magic, string option, string list)
    {
        var items = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (items.Length == 0)
        {
            throw MagicErrors.Usage(host, magic, $"{option} is empty: give comma-separated integers such as 0,3.");
        }

        var values = new List<int>();
        foreach (var item in items)
        {
            if (!int.TryParse(item, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                throw MagicErrors.Usage(host, magic, $"{option} has '{item}', which is not an integer: give comma-separated integers such as 0,3.");
            }

            if (!values.Contains(value)) values.Add(value);
        }

        return values.ToArray();
    }
}
