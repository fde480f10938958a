using DaprEmulator.GoFormats;
using DaprEmulator.Resiliency;

namespace DaprEmulator.Tests.Components;

// Go formats the emulator reproduces: time.ParseDuration and encoding/json's float output.
public sealed class GoFormatsTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("5s", 5_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("0", 0)]
    public void Durations_parse_like_time_ParseDuration(string text, long milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GoDuration.Parse(text));

    [Theory]
    [InlineData("5")]
    [InlineData("5 parsecs")]
    public void Durations_without_a_known_unit_are_rejected(string text) =>
        Assert.Throws<FormatException>(() => GoDuration.Parse(text));

    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(1.5, "1.5")]
    [InlineData(100000000000000000000.0, "100000000000000000000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(0.000001, "0.000001")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(12345678901234567890.0, "12345678901234567000")]
    [InlineData(-2.5e-10, "-2.5e-10")]
    public void Floats_format_like_encoding_json(double value, string expected) =>
        Assert.Equal(expected, GoJson.FormatFloat(value));

    [Fact]
    public void A_constant_retry_policy_stops_after_max_retries()
    {
        var backoff = new RetryPolicy { Duration = TimeSpan.FromMilliseconds(10), MaxRetries = 2 }.NewBackoff(TimeProvider.System);

        Assert.Equal([TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10), null], new[] { backoff.Next(), backoff.Next(), backoff.Next() });
    }
}
