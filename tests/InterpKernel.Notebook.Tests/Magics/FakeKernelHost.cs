using InterpKernel.Notebook.Hosting;

namespace InterpKernel.Notebook.Tests.Magics;

/// <summary>An in-memory host that records what magics display, print and bind.</summary>
internal sealed class FakeKernelHost : IKernelHost
{
    private int _nextDisplay;

    public FakeKernelHost()
    {
        NotebookExtension.Load(this);
    }

    public List<object?> Displays { get; } = [];

    public Dictionary<string, object?> Variables { get; } = new(StringComparer.Ordinal);

    /// <summary>What the current cell printed.</summary>
    public StringWriter OutText { get; private set; } = new();

    public TextWriter Out => OutText;

    public TextWriter Error { get; } = new StringWriter();

    public CancellationToken CancellationToken => CancellationToken.None;

    public MagicDispatcher Magics { get; } = new();

    public DisplayHandle Display(object? value, string? mimeType = null)
    {
        Displays.Add(value);
        var index = Displays.Count - 1;
        return new DisplayHandle($"display-{_nextDisplay++}", (_, v, _) => Displays[index] = v);
    }

    public void SetVariable(string name, object? value) => Variables[name] = value;

    public bool TryGetVariable(string name, out object? value) => Variables.TryGetValue(name, out value);

    IReadOnlyList<KeyValuePair<string, object?>> IKernelHost.Variables() => Variables.ToList();

    /// <summary>Starts a new cell: like the kernel's host, each cell gets its own output writer.</summary>
    public void NewCell() => OutText = new StringWriter();

    /// <summary>Runs one magic line the way the kernel does.</summary>
    public Task Run(string line) => Magics.InvokeAsync(line, this, CancellationToken.None);

    /// <summary>Runs a magic line that must fail, and returns the failure.</summary>
    public async Task<MagicCommandException> Fails(string line) =>
        await Assert.ThrowsAsync<MagicCommandException>(() => Run(line));

    public T Variable<T>(string name) => Assert.IsType<T>(Variables[name], exactMatch: false);

    public T Single<T>() => Assert.IsType<T>(Assert.Single(Displays), exactMatch: false);
}
