using System.Diagnostics;
using OrderDapr.Observability.Tracing;
using OrderDapr.Query.Projections;
using OrderDapr.Query.Telemetry;

namespace OrderDapr.Query.Subscriptions;

// One `project` span per delivered event, a child of the span that published it (Dapr carries its
// trace context in the CloudEvent), so that the trace of an order command reaches its projection
// in order-query. A batch is projected as one unit, so the spans of its events run side by side,
// none of them the current span; each one ends with the event's outcome, also counted.
public sealed class ProjectionSpans : IDisposable
{
    private readonly Activity?[] spans;

    private ProjectionSpans(Activity?[] spans) => this.spans = spans;

    public static ProjectionSpans Start(IReadOnlyList<OrderCloudEvent> events)
    {
        var current = Activity.Current;
        var spans = new Activity?[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            spans[i] = CloudEventTrace.ParentOf(e.Raw) is { } parent
                ? QueryTelemetry.Source.StartActivity("project", ActivityKind.Consumer, parent)
                : QueryTelemetry.Source.StartActivity("project", ActivityKind.Consumer);
            spans[i]?.SetTag("messaging.message.id", e.Id)
                .SetTag("orderdapr.event_type", e.Type)
                .SetTag("orderdapr.order_id", e.OrderId)
                .SetTag("orderdapr.version", e.Version);
            Activity.Current = current;
        }

        return new ProjectionSpans(spans);
    }

    public void End(int entry, string outcome)
    {
        QueryTelemetry.EventsProjected.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        if (spans[entry] is not { } span)
        {
            return;
        }

        var current = Activity.Current;
        span.SetTag("orderdapr.outcome", outcome);
        if (outcome == "retry")
        {
            span.SetStatus(ActivityStatusCode.Error, "handed back to the broker for redelivery");
        }

        span.Stop();
        spans[entry] = null;
        Activity.Current = current;
    }

    public void Dispose()
    {
        var current = Activity.Current;
        foreach (var span in spans)
        {
            span?.Stop();
        }

        Activity.Current = current;
    }
}
