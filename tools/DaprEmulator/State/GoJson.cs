using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DaprEmulator.State;

// What a JSON value looks like after daprd json.Unmarshal's it into `any` and the component
// json.Marshal's it back (SaveState with metadata contentType application/json, HTTP state API):
// compact, object keys sorted, numbers through float64, <, > and & escaped (Go encoding/json).
internal static class GoJson
{
    public static byte[] Remarshal(byte[] json)
    {
        using var doc = Parse(json);
        var sb = new StringBuilder();
        Write(doc.RootElement, sb);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    // PostgreSQL v1 stores the marshalled value in a JSONB column, which reads back with its own
    // text form: keys ordered by length then bytes, ", " and ": " separators, no HTML escaping.
    public static byte[] RemarshalToJsonb(byte[] json)
    {
        using var doc = Parse(Remarshal(json));
        var sb = new StringBuilder();
        WriteJsonb(doc.RootElement, sb);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static JsonDocument Parse(byte[] json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new StateStoreException($"invalid character in JSON value: {e.Message}");
        }
    }

    private static void Write(JsonElement e, StringBuilder sb)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                sb.Append('{');
                var first = true;
                foreach (var p in LastWins(e).OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }

                    first = false;
                    WriteString(p.Name, sb, html: true);
                    sb.Append(':');
                    Write(p.Value, sb);
                }

                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                var i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    if (i++ > 0)
                    {
                        sb.Append(',');
                    }

                    Write(item, sb);
                }

                sb.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(e.GetString()!, sb, html: true);
                break;
            case JsonValueKind.Number:
                sb.Append(FormatFloat(e.GetDouble()));
                break;
            default:
                sb.Append(e.GetRawText());
                break;
        }
    }

    private static void WriteJsonb(JsonElement e, StringBuilder sb)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                sb.Append('{');
                var first = true;
                var ordered = LastWins(e)
                    .OrderBy(p => Encoding.UTF8.GetByteCount(p.Name))
                    .ThenBy(p => p.Name, StringComparer.Ordinal);
                foreach (var p in ordered)
                {
                    if (!first)
                    {
                        sb.Append(", ");
                    }

                    first = false;
                    WriteString(p.Name, sb, html: false);
                    sb.Append(": ");
                    WriteJsonb(p.Value, sb);
                }

                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                var i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    if (i++ > 0)
                    {
                        sb.Append(", ");
                    }

                    WriteJsonb(item, sb);
                }

                sb.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(e.GetString()!, sb, html: false);
                break;
            default:
                sb.Append(e.GetRawText());
                break;
        }
    }

    private static IEnumerable<JsonProperty> LastWins(JsonElement obj) =>
        obj.EnumerateObject().GroupBy(p => p.Name, StringComparer.Ordinal).Select(g => g.Last());

    private static void WriteString(string s, StringBuilder sb, bool html)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029' when html:
                    sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                case < ' ':
                    sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                default: sb.Append(c); break;
            }
        }

        sb.Append('"');
    }

    // Go encoding/json floatEncoder: shortest representation, 'e' form below 1e-6 and from 1e21,
    // with "e-07" shortened to "e-7".
    public static string FormatFloat(double f)
    {
        if (f == 0)
        {
            return double.IsNegative(f) ? "-0" : "0";
        }

        var r = f.ToString("R", CultureInfo.InvariantCulture);
        var negative = r[0] == '-';
        if (negative)
        {
            r = r[1..];
        }

        var exponent = 0;
        var ePos = r.IndexOfAny(['E', 'e']);
        if (ePos >= 0)
        {
            exponent = int.Parse(r[(ePos + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..ePos];
        }

        var dot = r.IndexOf('.', StringComparison.Ordinal);
        var digits = dot >= 0 ? r[..dot] + r[(dot + 1)..] : r;
        var intLength = dot >= 0 ? dot : r.Length;
        var lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0')
        {
            lead++;
        }

        digits = digits[lead..].TrimEnd('0');
        intLength -= lead;
        var pointAt = intLength + exponent;

        string body;
        var abs = Math.Abs(f);
        if (abs < 1e-6 || abs >= 1e21)
        {
            var mantissa = digits.Length > 1 ? $"{digits[0]}.{digits[1..]}" : digits;
            var e = pointAt - 1;
            body = e < 0
                ? $"{mantissa}e-{(-e < 10 ? (-e).ToString(CultureInfo.InvariantCulture) : (-e).ToString("00", CultureInfo.InvariantCulture))}"
                : $"{mantissa}e+{e.ToString("00", CultureInfo.InvariantCulture)}";
        }
        else if (pointAt <= 0)
        {
            body = "0." + new string('0', -pointAt) + digits;
        }
        else if (pointAt >= digits.Length)
        {
            body = digits + new string('0', pointAt - digits.Length);
        }
        else
        {
            body = $"{digits[..pointAt]}.{digits[pointAt..]}";
        }

        return negative ? "-" + body : body;
    }
}
