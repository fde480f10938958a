using System.Globalization;

namespace DaprEmulator.PubSub.Streams;

// A Redis stream entry id, "<milliseconds>-<sequence>", ordered by both parts.
public readonly record struct StreamId(long Ms, long Seq) : IComparable<StreamId>
{
    // The id XGROUP CREATE ... 0 starts a group at: before every entry.
    public static readonly StreamId Zero = new(0, 0);

    // XADD's "*": the current time, or the last id's time with the next sequence when the clock has
    // not moved past it (Redis streamIncrID), so ids always grow.
    public static StreamId Next(StreamId last, long nowMs) =>
        nowMs > last.Ms ? new StreamId(nowMs, 0) : new StreamId(last.Ms, last.Seq + 1);

    public static StreamId Parse(string value)
    {
        var dash = value.IndexOf('-', StringComparison.Ordinal);
        return dash < 0
            ? new StreamId(long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture), 0)
            : new StreamId(
                long.Parse(value.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture),
                long.Parse(value.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture));
    }

    public int CompareTo(StreamId other) => Ms != other.Ms ? Ms.CompareTo(other.Ms) : Seq.CompareTo(other.Seq);

    public static bool operator <(StreamId a, StreamId b) => a.CompareTo(b) < 0;

    public static bool operator >(StreamId a, StreamId b) => a.CompareTo(b) > 0;

    public static bool operator <=(StreamId a, StreamId b) => a.CompareTo(b) <= 0;

    public static bool operator >=(StreamId a, StreamId b) => a.CompareTo(b) >= 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Ms}-{Seq}");
}
