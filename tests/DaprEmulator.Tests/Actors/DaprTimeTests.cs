using DaprEmulator.Actors;
using DaprEmulator.GoFormats;

namespace DaprEmulator.Tests.Actors;

public sealed class DaprTimeTests
{
    [Theory]
    [InlineData("0h0m5s0ms", 5_000)]
    [InlineData("1h0m0s0ms", 3_600_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("300ms", 300)]
    [InlineData("0", 0)]
    public void Go_durations_as_Dapr_Actors_writes_them_are_understood(string text, int milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5d")]
    [InlineData("h")]
    public void Malformed_go_durations_are_refused(string text) => Assert.False(GoDuration.TryParse(text, out _));

    [Fact]
    public void An_iso_8601_period_with_repetitions_is_understood()
    {
        Assert.True(DaprTime.TryParsePeriod("R5/PT1M30S", out var period));
        Assert.Equal(new DaprPeriod(0, 0, 0, TimeSpan.FromSeconds(90), 5), period);
    }

    [Fact]
    public void A_due_time_may_be_a_duration_or_an_rfc3339_time()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(now.AddSeconds(5), DaprTime.ParseTime("PT5S", now));
        Assert.Equal(now.AddSeconds(5), DaprTime.ParseTime("0h0m5s0ms", now));
        Assert.Equal(now.AddHours(2), DaprTime.ParseTime("2026-01-01T03:00:00+01:00", now));
        Assert.Throws<FormatException>(() => DaprTime.ParseTime("R2/PT5S", now));
        Assert.Throws<FormatException>(() => DaprTime.ParseTime("soon", now));
    }

    [Theory]
    [InlineData(5_000, "5s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(3_600_000, "1h0m0s")]
    [InlineData(1_500, "1.5s")]
    [InlineData(250, "250ms")]
    public void Durations_are_written_as_go_writes_them(int milliseconds, string expected) =>
        Assert.Equal(expected, DaprTime.FormatGoDuration(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void Times_are_written_in_rfc3339_nano_without_trailing_zeros()
    {
        Assert.Equal("2026-01-01T00:00:01Z", DaprTime.FormatRfc3339Nano(new DateTimeOffset(2026, 1, 1, 0, 0, 1, TimeSpan.Zero)));
        Assert.Equal("2026-01-01T00:00:01.5Z", DaprTime.FormatRfc3339Nano(new DateTimeOffset(2026, 1, 1, 0, 0, 1, 500, TimeSpan.Zero)));
    }
}
