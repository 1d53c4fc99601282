using Microsoft.DotNet.Interactive.Documents;

namespace InterpKernel.Interactive.Tests;

/// <summary>notebooks/quickstart.dib read with .NET Interactive's own document reader.</summary>
internal static class QuickstartDib
{
    /// <summary>
    /// The code cells in order, each for a kernel other than C# prefixed with its <c>#!name</c> line as a cell in
    /// that host would be; checks that the package version the notebook asks for is the one packed.
    /// </summary>
    public static IReadOnlyList<string> CodeCells(string packedVersion)
    {
        var path = Path.Combine(InteractiveHost.RepoRoot, "notebooks", "quickstart.dib");
        var kernels = new KernelInfoCollection { new KernelInfo("csharp", "C#"), new KernelInfo("fsharp", "F#") };
        var document = CodeSubmission.Parse(File.ReadAllText(path), kernels);
        var cells = document.Elements
            .Where(e => e.KernelName is "csharp" or "fsharp" && e.Contents.Trim().Length > 0)
            .Select(e => e.KernelName == "csharp" ? e.Contents : $"#!{e.KernelName}\n{e.Contents}")
            .ToList();
        Assert.StartsWith("#!fsharp", cells[0], StringComparison.Ordinal);
        Assert.Contains($"InterpKernel.Interactive, {packedVersion}", cells[0], StringComparison.Ordinal);
        return cells;
    }
}
