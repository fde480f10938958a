using System.Diagnostics;
using System.Text.Json;

namespace OrderDapr.Observability.Tracing;

// The trace a delivered event belongs to. Dapr writes the publisher's W3C trace context into the
// CloudEvent it builds: `traceparent` (and the older `traceid`, the same value) and `tracestate`.
public static class CloudEventTrace
{
    public static ActivityContext? ParentOf(JsonElement cloudEvent)
    {
        if (cloudEvent.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var parent = Text(cloudEvent, "traceparent") ?? Text(cloudEvent, "traceid");
        return ActivityContext.TryParse(parent, Text(cloudEvent, "tracestate"), isRemote: true, out var context) ? context : null;
    }

    private static string? Text(JsonElement cloudEvent, string field) =>
        cloudEvent.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : null;
}
