namespace InterpKernel.Sweeps.Tests;

public class SweepPlanTests
{
    [Theory]
    [InlineData(10, 4)]
    [InlineData(3, 5)]
    [InlineData(40, 4)]
    [InlineData(7, 1)]
    public void Shards_are_contiguous_deterministic_and_hold_every_unit_once(int units, int count)
    {
        var all = Enumerable.Range(0, units).Select(i => new WorkUnit(i, -1, "f", i, i + 1, 1)).ToList();
        var shards = Enumerable.Range(0, count).Select(i => SweepPlan.Shard(all, i, count)).ToList();
        Assert.Equal(all.Select(u => u.Index), shards.SelectMany(s => s).Select(u => u.Index));
        Assert.True(shards.Max(s => s.Count) - shards.Min(s => s.Count) <= 1);
        Assert.Equal(shards[count - 1].Select(u => u.Index), SweepPlan.Shard(all, count - 1, count).Select(u => u.Index));
        Assert.Contains("0 <= index < count", Assert.Throws<ArgumentException>(() => SweepPlan.Shard(all, count, count)).Message);
    }

    [Fact]
    public void Text_units_end_at_line_ends_cover_the_file_and_know_their_first_line()
    {
        string file = TestPaths.Text("fortunes.txt");
        var units = SweepPlan.TextUnits([file], unitBytes: 4096);
        var bytes = File.ReadAllBytes(file);
        Assert.True(units.Count > 3);
        Assert.Equal(0, units[0].Start);
        Assert.Equal(bytes.Length, units[^1].End);
        for (int i = 1; i < units.Count; i++)
        {
            Assert.Equal(units[i - 1].End, units[i].Start);
            Assert.Equal((byte)'\n', bytes[units[i].Start - 1]);
            Assert.Equal(1 + bytes.Take((int)units[i].Start).Count(b => b == '\n'), units[i].FirstLine);
        }
    }
}
