using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DaprEmulator.Actors;

// daprd decodes the value of an actor state upsert into a Go `any` (encoding/json, no UseNumber)
// and the state store marshals it back with encoding/json. What gets stored is therefore not the
// bytes the SDK sent: object keys come back sorted, every number goes through float64 (integers
// above 2^53 and long decimals lose precision) and strings are re-escaped HTML-safe.
// This reproduces that round trip so that an app meets the same stored bytes as with daprd.
internal static class GoJson
{
    private const string Hex = "0123456789abcdef";

    public static byte[] Remarshal(JsonElement value)
    {
        var builder = new StringBuilder();
        Write(builder, value);
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private static void Write(StringBuilder builder, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                // A Go map: keys sorted by their bytes; of duplicate keys the last one wins.
                var members = new SortedDictionary<string, JsonElement>(Utf8Order.Instance);
                foreach (var property in value.EnumerateObject())
                {
                    members[property.Name] = property.Value;
                }

                builder.Append('{');
                var first = true;
                foreach (var (name, member) in members)
                {
                    if (!first)
                    {
                        builder.Append(',');
                    }

                    first = false;
                    WriteString(builder, name);
                    builder.Append(':');
                    Write(builder, member);
                }

                builder.Append('}');
                break;
            case JsonValueKind.Array:
                builder.Append('[');
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (index++ > 0)
                    {
                        builder.Append(',');
                    }

                    Write(builder, item);
                }

                builder.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(builder, value.GetString()!);
                break;
            case JsonValueKind.Number:
                var number = double.Parse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
                if (double.IsInfinity(number))
                {
                    throw new FormatException($"json: cannot unmarshal number {value.GetRawText()} into Go value of type float64");
                }

                builder.Append(FormatFloat(number));
                break;
            case JsonValueKind.True:
                builder.Append("true");
                break;
            case JsonValueKind.False:
                builder.Append("false");
                break;
            default:
                builder.Append("null");
                break;
        }
    }

    // encoding/json floatEncoder: shortest representation that round-trips, 'f' format unless the
    // magnitude is below 1e-6 or at least 1e21, then 'e' with the exponent's leading zero dropped.
    public static string FormatFloat(double value)
    {
        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }

        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest.StartsWith('-');
        if (negative)
        {
            shortest = shortest[1..];
        }

        var exponentAt = shortest.IndexOfAny(['E', 'e']);
        var mantissa = exponentAt < 0 ? shortest : shortest[..exponentAt];
        var exponent = exponentAt < 0 ? 0 : int.Parse(shortest[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = mantissa.Replace(".", "", StringComparison.Ordinal);
        var pointAt = (point < 0 ? mantissa.Length : point) + exponent;
        while (digits.Length > 1 && digits[0] == '0')
        {
            digits = digits[1..];
            pointAt--;
        }

        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        var abs = Math.Abs(value);
        string text;
        if (abs < 1e-6 || abs >= 1e21)
        {
            var e = pointAt - 1;
            text = digits[..1] + (digits.Length > 1 ? "." + digits[1..] : "")
                + "e" + (e < 0 ? "-" : "+") + Math.Abs(e).ToString(e < 0 ? "0" : "00", CultureInfo.InvariantCulture);
        }
        else if (pointAt <= 0)
        {
            text = "0." + new string('0', -pointAt) + digits;
        }
        else if (pointAt >= digits.Length)
        {
            text = digits + new string('0', pointAt - digits.Length);
        }
        else
        {
            text = digits[..pointAt] + "." + digits[pointAt..];
        }

        return negative ? "-" + text : text;
    }

    // encoding/json encodeState.string with HTML escaping on (json.Marshal's default).
    private static void WriteString(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029' or < ' ':
                    builder.Append("\\u").Append(Hex[c >> 12]).Append(Hex[(c >> 8) & 0xF]).Append(Hex[(c >> 4) & 0xF]).Append(Hex[c & 0xF]);
                    break;
                default: builder.Append(c); break;
            }
        }

        builder.Append('"');
    }

    // Go compares strings byte-wise, i.e. in UTF-8 order, which differs from UTF-16 ordinal order
    // only for characters outside the BMP against those from U+E000 up.
    private sealed class Utf8Order : IComparer<string>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(string? x, string? y) =>
            ((ReadOnlySpan<byte>)Encoding.UTF8.GetBytes(x ?? "")).SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? ""));
    }
}
