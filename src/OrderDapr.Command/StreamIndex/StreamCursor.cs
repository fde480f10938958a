using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace OrderDapr.Command.StreamIndex;

// A position in the stream index: the next id to read is at Offset in page Page of lane LaneId.
// On the wire it is opaque: base64url of "{laneId}.{page}.{offset}", so that clients pass it back
// as they got it and the index may change its shape.
public sealed record StreamCursor(string LaneId, int Page, int Offset)
{
    private const int MaxEncodedLength = 128;

    public string Encode() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{LaneId}.{Page}.{Offset}")));

    public static bool TryParse(string encoded, [NotNullWhen(true)] out StreamCursor? cursor)
    {
        cursor = null;
        if (encoded.Length is 0 or > MaxEncodedLength || !Base64Url.IsValid(encoded))
        {
            return false;
        }

        var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(encoded)).Split('.');
        if (parts.Length != 3
            || !Guid.TryParseExact(parts[0], "N", out var lane) || lane.ToString("N") != parts[0]
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var page)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            || offset > StreamIndexPage.Capacity)
        {
            return false;
        }

        cursor = new StreamCursor(parts[0], page, offset);
        return true;
    }
}
