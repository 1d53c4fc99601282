using InterpKernel.Hub;
using Xunit;

namespace InterpKernel.Tests.Hub;

public sealed class ConsoleProgressTests
{
    private sealed class ManualClock : TimeProvider
    {
        public long Ticks { get; set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Ticks;
    }

    [Fact]
    public void Updates_of_one_file_are_throttled_and_the_finished_line_ends_with_a_newline()
    {
        var clock = new ManualClock();
        var writer = new StringWriter { NewLine = "\n" };
        var progress = new ConsoleProgress(writer, TimeSpan.FromMilliseconds(250), clock);

        progress.Report(new DownloadProgress("gpt2", "model.safetensors", 0, 2_000_000));
        progress.Report(new DownloadProgress("gpt2", "model.safetensors", 10_000, 2_000_000));
        clock.Ticks += TimeSpan.FromMilliseconds(300).Ticks;
        progress.Report(new DownloadProgress("gpt2", "model.safetensors", 1_500_000, 2_000_000));
        progress.Report(new DownloadProgress("gpt2", "model.safetensors", 2_000_000, 2_000_000));

        Assert.Equal(
            "\rgpt2 model.safetensors: 0 B / 2.0 MB (0%)"
            + "\rgpt2 model.safetensors: 1.5 MB / 2.0 MB (75%)"
            + "\rgpt2 model.safetensors: 2.0 MB / 2.0 MB (100%)\n",
            writer.ToString());
    }

    [Fact]
    public void A_new_file_starts_on_a_new_line_and_a_shorter_line_blanks_the_rest_of_the_old_one()
    {
        var writer = new StringWriter { NewLine = "\n" };
        var progress = new ConsoleProgress(writer, TimeSpan.Zero, new ManualClock());

        progress.Report(new DownloadProgress("gpt2", "model.safetensors", 1_234_567, null));
        progress.Report(new DownloadProgress("gpt2", "model.safetensors", 999, null));
        progress.Report(new DownloadProgress("gpt2", "vocab.json", 0, 1_000));

        Assert.Equal(
            "\rgpt2 model.safetensors: 1.2 MB"
            + "\rgpt2 model.safetensors: 999 B "
            + "\n\rgpt2 vocab.json: 0 B / 1.0 kB (0%)",
            writer.ToString());
    }

    [Fact]
    public void A_negative_interval_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new ConsoleProgress(TextWriter.Null, TimeSpan.FromSeconds(-1)));

        Assert.Equal("minInterval", error.ParamName);
    }
}
