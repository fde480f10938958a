using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DaprEmulator.PubSub;

// The trace context daprd puts into the CloudEvents it builds (traceid, traceparent, tracestate)
// and into the deliveries it makes, when no tracing exporter is configured. Without a
// Configuration the sampling rate is "" (1e-4), so the tracing middlewares run (pkg/api/http/server.go
// useTracing, pkg/api/grpc/server.go), but no exporter is registered and RegisterTracerProvider
// (pkg/runtime/trace.go) leaves OpenTelemetry's global no-op provider in place: its span is the
// caller's remote span context as read from the `traceparent` header, with no child span.
// diag.TraceIDAndStateFromSpan then gives that context re-serialized, or "" for both when the
// caller sent none or an invalid one: without tracing, daprd invents no trace id.
public static class TraceContext
{
    private const int MaxVersion = 254;

    // The HTTP API (diag.SpanContextFromRequest): tracestate is parsed with the traceparent and
    // written back by TraceState.String. Over gRPC (SpanContextFromIncomingGRPCMetadata, without
    // grpc-trace-bin) the parsed tracestate is dropped: `sc.WithTraceState(*ts)` discards its
    // result, so gRPC callers pass null.
    public static (string TraceId, string TraceState) FromCaller(string? traceParent, string? traceState) =>
        Normalize(traceParent) is { } traceId ? (traceId, NormalizeState(traceState)) : ("", "");

    // The trace headers of a delivery to the app (postman/http Deliver and DeliverBulk, then the
    // HTTP app channel). The callback span is started from the event's `traceparent` field, or
    // `traceid` when that field is absent, read by diag.SpanContextFromW3CString, which keeps no
    // tracestate. InternalMetadataToHTTPHeader first writes the message's own `traceparent` and
    // `tracestate` metadata (or, without a traceparent there, the span's context); then the
    // channel sets `traceparent` from a span that has a trace id, and `tracestate` only from the
    // span's (always empty) trace state.
    public static Dictionary<string, string> DeliveryHeaders(IReadOnlyDictionary<string, string> metadata, JsonObject cloudEvent)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var eventTrace = EventTraceParent(cloudEvent) is { } field ? Normalize(field) : null;
        var metadataParent = Lookup(metadata, "traceparent");
        if (metadataParent is { Length: > 0 })
        {
            headers["traceparent"] = metadataParent;
            if (Lookup(metadata, "tracestate") is { Length: > 0 } metadataState)
            {
                headers["tracestate"] = metadataState;
            }
        }

        if (eventTrace is not null)
        {
            headers["traceparent"] = eventTrace;
        }

        return headers;
    }

    public static bool IsTraceHeader(string name) =>
        name.Equals("traceparent", StringComparison.OrdinalIgnoreCase) || name.Equals("tracestate", StringComparison.OrdinalIgnoreCase)
        || name.Equals("grpc-trace-bin", StringComparison.OrdinalIgnoreCase);

    // diag.SpanContextFromW3CString, then SpanContextToW3CString: version 00, lower-case hex, the
    // first byte of the flags. null when daprd would find no valid span context.
    public static string? Normalize(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        var sections = header.Split('-');
        if (sections.Length < 4 || sections[0].Length != 2 || !byte.TryParse(sections[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var version)
            || version > MaxVersion || (version == 0 && sections.Length != 4))
        {
            return null;
        }

        // hex.DecodeString of the flags accepts either case and needs whole bytes.
        if (!IsLowerHex(sections[1], 32) || !IsLowerHex(sections[2], 16) || sections[3].Length < 2 || sections[3].Length % 2 != 0
            || !sections[3].All(char.IsAsciiHexDigit))
        {
            return null;
        }

        return $"00-{sections[1]}-{sections[2]}-{sections[3][..2].ToLowerInvariant()}";
    }

    // otel-go trace.ParseTraceState, then TraceState.String: members split on ',', empty ones
    // skipped, blanks trimmed before the key and after the value; any invalid member, a duplicate
    // key or more than 32 members make the whole header invalid, which daprd turns into "".
    public static string NormalizeState(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return "";
        }

        var members = new List<string>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in header.Split(','))
        {
            if (member.Length == 0)
            {
                continue;
            }

            var equals = member.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                return "";
            }

            var key = member[..equals].TrimStart(' ', '\t');
            var value = member[(equals + 1)..].TrimEnd(' ', '\t');
            if (!IsStateKey(key) || !IsStateValue(value) || !keys.Add(key) || members.Count == 32)
            {
                return "";
            }

            members.Add($"{key}={value}");
        }

        return string.Join(',', members);
    }

    // The Go map lookup of an interface{} field: a JSON null or a missing field is nil (then
    // `traceid` is tried); any other non-string value skips tracing.
    private static string? EventTraceParent(JsonObject cloudEvent)
    {
        var field = cloudEvent["traceparent"] ?? cloudEvent["traceid"];
        return field is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
    }

    private static string? Lookup(IReadOnlyDictionary<string, string> metadata, string name) =>
        metadata.FirstOrDefault(m => m.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    // trace.TraceIDFromHex / SpanIDFromHex read lower-case hex digits only (otel-go trace/hex.go
    // hexRev) and refuse all zeros.
    private static bool IsLowerHex(string value, int length) =>
        value.Length == length && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f') && value.Any(c => c != '0');

    // W3C key: simple-key = lcalpha 0*255(lcalpha / DIGIT / "_" / "-" / "*" / "/"), or
    // tenant-id "@" system-id (tenant: lcalpha or DIGIT then up to 240; system: lcalpha then up to 13).
    private static bool IsStateKey(string key)
    {
        var at = key.IndexOf('@', StringComparison.Ordinal);
        if (at < 0)
        {
            return IsKeyPart(key, 255, allowDigitFirst: false);
        }

        return IsKeyPart(key[..at], 240, allowDigitFirst: true) && IsKeyPart(key[(at + 1)..], 13, allowDigitFirst: false);
    }

    private static bool IsKeyPart(string part, int rest, bool allowDigitFirst) =>
        part.Length > 0 && part.Length - 1 <= rest
        && (part[0] is >= 'a' and <= 'z' || (allowDigitFirst && char.IsAsciiDigit(part[0])))
        && part.Skip(1).All(c => c is >= 'a' and <= 'z' || char.IsAsciiDigit(c) || c is '_' or '-' or '*' or '/');

    // value = 0*255(chr) nblk-chr; chr = %x20-2B / %x2D-3C / %x3E-7E; nblk-chr the same without %x20.
    private static bool IsStateValue(string value) =>
        value.Length is > 0 and <= 256
        && value.All(c => c is >= '\x20' and <= '\x7e' and not ',' and not '=')
        && value[^1] != ' ';
}
