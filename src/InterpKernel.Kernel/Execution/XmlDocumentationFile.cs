using System.Globalization;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;

namespace InterpKernel.Kernel.Execution;

/// <summary>
/// Serves the XML documentation file that the compiler wrote next to an assembly, so that inspection can
/// show summaries of InterpKernel's own API. Roslyn's file-based provider lives in Workspaces, which
/// scripting does not ship.
/// </summary>
internal sealed class XmlDocumentationFile : DocumentationProvider
{
    private readonly string _path;
    private readonly Lazy<Dictionary<string, string>> _members;

    public XmlDocumentationFile(string path)
    {
        _path = path;
        _members = new Lazy<Dictionary<string, string>>(Load);
    }

    public override bool Equals(object? obj) => obj is XmlDocumentationFile other && other._path == _path;

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_path);

    protected override string? GetDocumentationForSymbol(string documentationMemberID, CultureInfo preferredCulture, CancellationToken cancellationToken = default) =>
        _members.Value.TryGetValue(documentationMemberID, out var xml) ? xml : null;

    private Dictionary<string, string> Load()
    {
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var member in XDocument.Load(_path).Descendants("member"))
            {
                if ((string?)member.Attribute("name") is { } name)
                {
                    members[name] = member.ToString(SaveOptions.DisableFormatting);
                }
            }
        }
        catch (Exception e) when (e is IOException or System.Xml.XmlException)
        {
            // Without its documentation file an assembly still works; inspection just shows no summary.
        }

        return members;
    }
}
