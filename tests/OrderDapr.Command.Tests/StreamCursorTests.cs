using OrderDapr.Command.StreamIndex;

namespace OrderDapr.Command.Tests;

public sealed class StreamCursorTests
{
    [Fact]
    public void A_cursor_reads_back_as_it_was_written()
    {
        var cursor = new StreamCursor(Guid.NewGuid().ToString("N"), 12, StreamIndexPage.Capacity);

        Assert.True(StreamCursor.TryParse(cursor.Encode(), out var read));
        Assert.Equal(cursor, read);
    }

    [Theory]
    [InlineData("")]
    [InlineData("====")]
    [InlineData("a b")]
    [InlineData("{lane}.0")]
    [InlineData("{lane}.0.0.0")]
    [InlineData("{LANE}.0.0")]
    [InlineData("{dashed}.0.0")]
    [InlineData("{lane}.-1.0")]
    [InlineData("{lane}.0.-1")]
    [InlineData("{lane}.0.1001")]
    [InlineData("{lane}.1e3.0")]
    [InlineData("{lane}.99999999999.0")]
    public void Anything_else_is_not_a_cursor(string decoded)
    {
        var lane = Guid.NewGuid();
        var text = decoded
            .Replace("{lane}", lane.ToString("N"), StringComparison.Ordinal)
            .Replace("{LANE}", lane.ToString("N").ToUpperInvariant(), StringComparison.Ordinal)
            .Replace("{dashed}", lane.ToString("D"), StringComparison.Ordinal);
        var encoded = text.Contains('.', StringComparison.Ordinal)
            ? System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(text))
            : text;

        Assert.False(StreamCursor.TryParse(encoded, out _));
    }
}
