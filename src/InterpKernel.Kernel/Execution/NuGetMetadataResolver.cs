using System.Collections.Immutable;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;

namespace InterpKernel.Kernel.Execution;

/// <summary>
/// Resolves <c>#r "nuget: Package, 1.2.3"</c> by publishing a throw-away project that references the
/// package with the .NET SDK, then referencing the assemblies it produced. Other <c>#r</c> forms go to the
/// ordinary script resolver (paths relative to the working folder).
/// </summary>
internal sealed class NuGetMetadataResolver : MetadataReferenceResolver
{
    private const string Scheme = "nuget:";
    private readonly MetadataReferenceResolver _inner;
    private readonly Dictionary<string, ImmutableArray<PortableExecutableReference>> _resolved = new(StringComparer.OrdinalIgnoreCase);

    public NuGetMetadataResolver(MetadataReferenceResolver inner)
    {
        _inner = inner;
    }

    public override bool ResolveMissingAssemblies => _inner.ResolveMissingAssemblies;

    public override ImmutableArray<PortableExecutableReference> ResolveReference(
        string reference, string? baseFilePath, MetadataReferenceProperties properties)
    {
        if (!reference.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return _inner.ResolveReference(reference, baseFilePath, properties);
        }

        lock (_resolved)
        {
            if (!_resolved.TryGetValue(reference, out var references))
            {
                references = Restore(reference);
                _resolved[reference] = references;
            }

            return references;
        }
    }

    public override PortableExecutableReference? ResolveMissingAssembly(MetadataReference definition, AssemblyIdentity referenceIdentity) =>
        _inner.ResolveMissingAssembly(definition, referenceIdentity);

    public override bool Equals(object? other) => other is NuGetMetadataResolver o && o._inner.Equals(_inner);

    public override int GetHashCode() => _inner.GetHashCode() ^ 0x5a17;

    private static ImmutableArray<PortableExecutableReference> Restore(string reference)
    {
        var spec = reference[Scheme.Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (spec.Length is < 1 or > 2)
        {
            throw new ArgumentException(
                $"'#r \"{reference}\"' is not a NuGet reference: write #r \"nuget: PackageId, 1.2.3\" (the version is optional).", nameof(reference));
        }

        var package = spec[0];
        var version = spec.Length == 2 ? spec[1] : "*";
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{package}/{version}")))[..16];
        var folder = Path.Combine(Path.GetTempPath(), "interp-kernel-nuget", key);
        var output = Path.Combine(folder, "out");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "Packages.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net{Environment.Version.Major}.0</TargetFramework>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                <ImportDirectoryBuildProps>false</ImportDirectoryBuildProps>
                <ImportDirectoryBuildTargets>false</ImportDirectoryBuildTargets>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{System.Security.SecurityElement.Escape(package)}" Version="{System.Security.SecurityElement.Escape(version)}" />
              </ItemGroup>
            </Project>
            """);
        RunDotnet(folder, $"publish Packages.csproj -c Release -o \"{output}\" -nologo -v q", package, version);
        var dlls = Directory.GetFiles(output, "*.dll")
            .Where(f => !Path.GetFileName(f).Equals("Packages.dll", StringComparison.OrdinalIgnoreCase))
            .Select(f => MetadataReference.CreateFromFile(f))
            .ToImmutableArray();
        return dlls;
    }

    private static void RunDotnet(string folder, string arguments, string package, string version)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException("Could not start 'dotnet' to restore a NuGet package: put the .NET SDK on PATH.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"Restoring NuGet package {package} {version} failed (dotnet {arguments}): check the id, the version and your NuGet sources.\n{stdout.Result}{stderr.Result}");
        }
    }
}
