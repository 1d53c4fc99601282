namespace InterpKernel.Loading;

/// <summary>Finds the names closest to a mistyped one, so a "not found" message can say what was meant.</summary>
internal static class NameSuggestions
{
    public static IReadOnlyList<string> Closest(string query, IEnumerable<string> names, int max = 5)
    {
        // A name containing the query (or contained in it) is the usual mistake: a missing prefix such as "transformer.".
        return names
            .Select(name => (Name: name, Score: Score(query, name)))
            .Where(c => c.Score <= Math.Max(3, query.Length / 3))
            .OrderBy(c => c.Score)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .Take(max)
            .Select(c => c.Name)
            .ToList();
    }

    /// <summary>A "no such name" sentence with suggestions, for KeyNotFoundException messages.</summary>
    public static string NotFoundMessage(string name, string where, IReadOnlyCollection<string> names)
    {
        var close = Closest(name, names);
        string hint = close.Count > 0
            ? $"Did you mean {string.Join(", ", close.Select(n => $"'{n}'"))}?"
            : $"Names look like '{names.OrderBy(n => n, StringComparer.Ordinal).FirstOrDefault() ?? "(none: it is empty)"}'.";
        return $"No tensor named '{name}' in {where} ({names.Count} tensors). {hint} List the available names to pick one.";
    }

    private static int Score(string query, string name)
    {
        if (query.Length > 0 && (name.Contains(query, StringComparison.Ordinal) || query.Contains(name, StringComparison.Ordinal)))
        {
            return 1;
        }
        return Levenshtein(query, name);
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
