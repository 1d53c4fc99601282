using InterpKernel.Kernel.History;

namespace InterpKernel.Kernel.Tests;

public sealed class HistoryStoreTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("interp-kernel-history-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string FilePath => Path.Combine(_folder.FullName, "history.jsonl");

    [Fact]
    public void History_is_kept_across_sessions_and_answers_tail_range_and_search()
    {
        var first = new HistoryStore(FilePath);
        first.Add(1, "var x = 1;");
        first.Add(2, "x + 1");
        var second = new HistoryStore(FilePath);
        second.Add(1, "x + 1");
        second.Add(2, "Console.WriteLine(x);");

        Assert.Equal(1, first.Session);
        Assert.Equal(2, second.Session);
        Assert.Equal(["x + 1", "Console.WriteLine(x);"], second.Tail(2).Select(e => e.Input).ToArray());
        Assert.Equal(["var x = 1;", "x + 1"], second.Range(-1, 1, null).Select(e => e.Input).ToArray());
        Assert.Equal(["x + 1"], second.Range(0, 1, 2).Select(e => e.Input).ToArray());
        Assert.Equal(2, second.Search("x + ?", 10, unique: false).Count);
        Assert.Equal(new HistoryEntry(2, 1, "x + 1"), Assert.Single(second.Search("x*", 10, unique: true), e => e.Input == "x + 1"));
        var reply = HistoryStore.ToReply(second.Tail(1), output: false);
        Assert.Equal("[[2,2,\"Console.WriteLine(x);\"]]", reply.ToJsonString());
    }
}
