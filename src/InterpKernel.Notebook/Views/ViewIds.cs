using System.Security.Cryptography;

namespace InterpKernel.Notebook.Views;

/// <summary>Element id prefixes, one per output, so that two outputs on one page never share an id.</summary>
internal static class ViewIds
{
    public static string Resolve(string? idPrefix)
    {
        if (idPrefix is null)
        {
            // Letters first so the prefix is a valid CSS identifier and querySelector('#...') works.
            return "ik" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant();
        }
        if (idPrefix.Length == 0 || !char.IsAsciiLetter(idPrefix[0])
            || !idPrefix.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
        {
            throw new ArgumentException(
                $"id prefix '{idPrefix}' is not usable in element ids: start with a letter and use only letters, digits, '-' and '_'.",
                nameof(idPrefix));
        }
        return idPrefix;
    }
}
