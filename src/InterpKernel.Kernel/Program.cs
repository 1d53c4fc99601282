using System.CommandLine;
using InterpKernel.Kernel;
using InterpKernel.Kernel.Execution;
using InterpKernel.Kernel.Installation;
using InterpKernel.Kernel.Protocol;
using InterpKernel.Kernel.Runner;
using InterpKernel.Kernel.Sweeps;

var connectionFile = new Option<FileInfo?>("-f", "--connection-file")
{
    Description = "The connection file Jupyter writes when it starts the kernel.",
};
var root = new RootCommand("interp-kernel: a Jupyter kernel for C# with InterpKernel, and a headless notebook runner.")
{
    connectionFile,
};
root.SetAction(parse =>
{
    var file = parse.GetValue(connectionFile);
    if (file is null)
    {
        Console.Error.WriteLine("Give a connection file with -f (Jupyter does this), or use a command: install, kernelspec, run. --help lists them.");
        return 2;
    }

    using var kernel = new JupyterKernel(ConnectionInfo.Load(file.FullName));
    kernel.Run();
    return 0;
});

var user = new Option<bool>("--user") { Description = "Install for the current user (~/.local/share/jupyter/kernels on Linux)." };
var prefix = new Option<DirectoryInfo?>("--prefix") { Description = "Install under PREFIX/share/jupyter/kernels (for example a virtual environment)." };
var install = new Command("install", "Installs the Jupyter kernelspec 'interp-kernel-csharp'.") { user, prefix };
install.SetAction(parse =>
{
    var kernels = KernelSpec.KernelsFolder(parse.GetValue(user), parse.GetValue(prefix)?.FullName);
    var folder = KernelSpec.Install(kernels, KernelSpec.LaunchCommand());
    Console.WriteLine($"Installed kernelspec {KernelSpec.Name} in {folder}");
    return 0;
});
root.Subcommands.Add(install);

var kernelspec = new Command("kernelspec", "Prints the kernel.json that install writes.");
kernelspec.SetAction(_ =>
{
    Console.WriteLine(KernelSpec.ToJson(KernelSpec.LaunchCommand()));
    return 0;
});
root.Subcommands.Add(kernelspec);

var notebook = new Argument<FileInfo>("notebook") { Description = "The notebook to run: .ipynb (nbformat 4) or .dib." };
var output = new Option<FileInfo?>("--output", "-o") { Description = "Where to write the executed notebook (default: NAME.executed.ipynb next to it)." };
var html = new Option<FileInfo?>("--html") { Description = "Also write a self-contained HTML report here." };
var allowErrors = new Option<bool>("--allow-errors") { Description = "Run every cell and exit 0 even when cells fail." };
var run = new Command("run", "Executes a notebook in-process and writes the executed notebook.") { notebook, output, html, allowErrors };
run.SetAction(async (parse, cancellationToken) =>
{
    var input = parse.GetValue(notebook)!;
    var document = NotebookFile.Load(input.FullName);
    var outputFile = parse.GetValue(output);
    var htmlFile = parse.GetValue(html);
    // Cells see the notebook's folder as the current directory, as they do under Jupyter.
    Environment.CurrentDirectory = input.DirectoryName ?? Environment.CurrentDirectory;
    var outputPath = outputFile?.FullName
        ?? Path.Combine(input.DirectoryName ?? ".", Path.GetFileNameWithoutExtension(input.Name) + ".executed.ipynb");
    Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
    htmlFile?.Directory?.Create();
    void Save()
    {
        NotebookFile.Save(document, outputPath);
        if (htmlFile is not null)
        {
            File.WriteAllText(htmlFile.FullName, HtmlReport.Render(document, Path.GetFileNameWithoutExtension(input.Name)));
        }
    }

    using var engine = new CellEngine();
    // A C++ exception that escapes native code ends the process; the notebook is saved with it first.
    NativeCrash.Install();
    // Saved before every cell, so that a process crash leaves every earlier output and names the cell that crashed.
    var report = await NotebookRunner.RunAsync(document, engine, parse.GetValue(allowErrors), cancellationToken, Save);
    Save();
    Console.WriteLine($"Ran {report.CodeCellsRun} code cells; wrote {outputPath}");
    if (htmlFile is not null)
    {
        Console.WriteLine($"Wrote {htmlFile.FullName}");
    }

    foreach (var (index, error) in report.Failures)
    {
        Console.Error.WriteLine($"Cell {index + 1} of {input.Name} failed: {error.Name}: {error.Value}");
    }

    return report.Succeeded || parse.GetValue(allowErrors) ? 0 : 1;
});
root.Subcommands.Add(run);
root.Subcommands.Add(SweepCommand.Create());

return await root.Parse(args).InvokeAsync();
