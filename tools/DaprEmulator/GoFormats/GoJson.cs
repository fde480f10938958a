using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DaprEmulator.GoFormats;

// daprd decodes a JSON value it is asked to store into a Go `any` (encoding/json, no UseNumber)
// and the state store marshals it back with encoding/json: actor state upserts, and SaveState
// with metadata contentType application/json. What gets stored is therefore not the bytes the
// client sent: object keys come back sorted, every number goes through float64 (integers above
// 2^53 and long decimals lose precision) and strings are re-escaped HTML-safe.
// This reproduces that round trip so that an app meets the same stored bytes as with daprd.
internal static class GoJson
{
    private const string Hex = "0123456789abcdef";

    // Go compares strings byte-wise, i.e. in UTF-8 order, which differs from UTF-16 ordinal order
    // only for characters outside the BMP against those from U+E000 up.
    private static readonly Comparer<string> Utf8Order = Comparer<string>.Create(
        (x, y) => ((ReadOnlySpan<byte>)Encoding.UTF8.GetBytes(x)).SequenceCompareTo(Encoding.UTF8.GetBytes(y)));

    // PostgreSQL jsonb keeps object keys shortest first (in bytes), equal lengths byte-wise.
    private static readonly Comparer<string> JsonbKeyOrder = Comparer<string>.Create(
        (x, y) => Encoding.UTF8.GetByteCount(x).CompareTo(Encoding.UTF8.GetByteCount(y)) is var byLength and not 0
            ? byLength
            : Utf8Order.Compare(x, y));

    private static readonly TextForm Marshalled = new(",", ":", Utf8Order, GoEscapes: true);

    private static readonly TextForm Jsonb = new(", ", ": ", JsonbKeyOrder, GoEscapes: false);

    public static byte[] Remarshal(JsonElement value) => Write(value, Marshalled);

    // PostgreSQL v1 stores the marshalled value in a JSONB column, which reads back with its own
    // text form: keys ordered by length then bytes, ", " and ": " separators, no HTML escaping.
    public static byte[] RemarshalToJsonb(JsonElement value) => Write(value, Jsonb);

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

    private static byte[] Write(JsonElement value, TextForm form)
    {
        var builder = new StringBuilder();
        Write(builder, value, form);
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private static void Write(StringBuilder builder, JsonElement value, TextForm form)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(builder, value, form);
                break;
            case JsonValueKind.Array:
                WriteArray(builder, value, form);
                break;
            case JsonValueKind.String:
                WriteString(builder, value.GetString()!, form);
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

    private static void WriteObject(StringBuilder builder, JsonElement value, TextForm form)
    {
        // A Go map: of duplicate keys the last one wins.
        var members = new SortedDictionary<string, JsonElement>(form.KeyOrder);
        foreach (var property in value.EnumerateObject())
        {
            members[property.Name] = property.Value;
        }

        builder.Append('{');
        var separator = "";
        foreach (var (name, member) in members)
        {
            builder.Append(separator);
            separator = form.ItemSeparator;
            WriteString(builder, name, form);
            builder.Append(form.NameSeparator);
            Write(builder, member, form);
        }

        builder.Append('}');
    }

    private static void WriteArray(StringBuilder builder, JsonElement value, TextForm form)
    {
        builder.Append('[');
        var separator = "";
        foreach (var item in value.EnumerateArray())
        {
            builder.Append(separator);
            separator = form.ItemSeparator;
            Write(builder, item, form);
        }

        builder.Append(']');
    }

    // encoding/json encodeState.string; PostgreSQL's jsonb output escapes only what JSON requires.
    private static void WriteString(StringBuilder builder, string value, TextForm form)
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
                case '<' or '>' or '&' or '\u2028' or '\u2029' when form.GoEscapes:
                case < ' ':
                    builder.Append("\\u").Append(Hex[c >> 12]).Append(Hex[(c >> 8) & 0xF]).Append(Hex[(c >> 4) & 0xF]).Append(Hex[c & 0xF]);
                    break;
                default: builder.Append(c); break;
            }
        }

        builder.Append('"');
    }

    // GoEscapes: what encoding/json escapes beyond JSON's needs, <, > and & (json.Marshal is
    // HTML-safe) and U+2028, U+2029.
    private sealed record TextForm(string ItemSeparator, string NameSeparator, IComparer<string> KeyOrder, bool GoEscapes);
}
