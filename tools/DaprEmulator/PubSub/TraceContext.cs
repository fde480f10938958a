using System.Globalization;

namespace DaprEmulator.PubSub;

// The trace context daprd puts into the CloudEvents it builds (traceid, traceparent, tracestate)
// when no tracing is configured. Without a Configuration the sampling rate is "" (1e-4), so the
// tracing middleware runs (pkg/api/http/server.go useTracing, pkg/api/grpc/server.go), but no
// exporter is registered and RegisterTracerProvider (pkg/runtime/trace.go) leaves OpenTelemetry's
// global no-op provider in place: its span is the caller's remote span context as read from the
// `traceparent` header (diag.SpanContextFromRequest / SpanContextFromIncomingGRPCMetadata), with
// no child span. diag.TraceIDAndStateFromSpan then gives that context re-serialized, or "" for
// both when the caller sent none or an invalid one: without tracing, daprd invents no trace id.
public static class TraceContext
{
    private const int MaxVersion = 254;

    public static (string TraceId, string TraceState) FromCaller(string? traceParent, string? traceState) =>
        TryParse(traceParent, out var traceId, out var spanId, out var flags)
            ? ($"00-{traceId}-{spanId}-{flags}", traceState ?? "")
            : ("", "");

    // diag.SpanContextFromW3CString; SpanContextToW3CString writes version 00 and lower-case hex.
    private static bool TryParse(string? header, out string traceId, out string spanId, out string flags)
    {
        traceId = spanId = flags = "";
        if (string.IsNullOrEmpty(header))
        {
            return false;
        }

        var sections = header.Split('-');
        if (sections.Length < 4 || sections[0].Length != 2 || !byte.TryParse(sections[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var version)
            || version > MaxVersion || (version == 0 && sections.Length != 4))
        {
            return false;
        }

        if (!IsNonZeroHex(sections[1], 32) || !IsNonZeroHex(sections[2], 16) || sections[3].Length < 2 || sections[3].Length % 2 != 0
            || !sections[3].All(char.IsAsciiHexDigit))
        {
            return false;
        }

        traceId = sections[1].ToLowerInvariant();
        spanId = sections[2].ToLowerInvariant();
        flags = sections[3][..2].ToLowerInvariant();
        return true;
    }

    // trace.TraceIDFromHex / SpanIDFromHex refuse a wrong length, a non-hex digit and all zeros.
    private static bool IsNonZeroHex(string value, int length) =>
        value.Length == length && value.All(char.IsAsciiHexDigit) && value.Any(c => c != '0');
}
