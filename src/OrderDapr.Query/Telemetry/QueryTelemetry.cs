using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrderDapr.Observability.Telemetry;

namespace OrderDapr.Query.Telemetry;

// order-query's own spans and metrics (OpenTelemetry exports them: see TelemetryRegistration).
public static class QueryTelemetry
{
    public const string Name = "OrderDapr.Query";

    public static readonly ServiceTelemetry Service = new("order-query", Name, Name);

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    // Delivered events by what the projection did with them: applied, buffered (waits for an
    // earlier one), duplicate, retry (handed back to the broker), dead-lettered.
    public static readonly Counter<long> EventsProjected = Meter.CreateCounter<long>(
        "orderdapr.projection.events", unit: "{event}", description: "Delivered order events, by what the projection did with them.");

    // From the moment order-command stored the event to the commit of the batch that projected it:
    // how far the read model trails the commands.
    public static readonly Histogram<double> ProjectionLag = Meter.CreateHistogram(
        "orderdapr.projection.lag", unit: "s", description: "Time from an event's occurrence to the commit of its projection.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });

    // Events parked for an operator, by reason: unprojectable (malformed or missing data),
    // unknown-type, delivery-failed (Dapr gave up delivering it).
    public static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>(
        "orderdapr.deadletters", unit: "{event}", description: "Order events parked as dead letters, by reason.");

    private static long newestProjectedTicks;

    static QueryTelemetry() =>
        Meter.CreateObservableGauge(
            "orderdapr.readmodel.staleness", Staleness, unit: "s",
            description: "Age of the newest event this replica projected: how old the freshest fact of the read model is.");

    // An event's projection committed at `committedAt`.
    public static void Committed(DateTimeOffset occurredAt, DateTimeOffset committedAt)
    {
        ProjectionLag.Record(Math.Max(0, (committedAt - occurredAt).TotalSeconds));
        var ticks = occurredAt.UtcTicks;
        for (var seen = Interlocked.Read(ref newestProjectedTicks); ticks > seen; seen = Interlocked.Read(ref newestProjectedTicks))
        {
            if (Interlocked.CompareExchange(ref newestProjectedTicks, ticks, seen) == seen)
            {
                break;
            }
        }
    }

    // Nothing before the first projected event: an empty read model has no age.
    private static IEnumerable<Measurement<double>> Staleness()
    {
        var ticks = Interlocked.Read(ref newestProjectedTicks);
        return ticks == 0 ? [] : [new Measurement<double>((DateTimeOffset.UtcNow - new DateTimeOffset(ticks, TimeSpan.Zero)).TotalSeconds)];
    }
}
