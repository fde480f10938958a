using OrderDapr.EndToEnd.Tests.Fixtures;

namespace OrderDapr.EndToEnd.Tests.Observability;

// The running system with both services exporting their traces and metrics over OTLP to a
// collector the tests read, as OTEL_EXPORTER_OTLP_ENDPOINT configures them in production. Spans
// are exported 100 ms after they end rather than 5 s, so the tests do not sit idle.
public sealed class ObservedOrderSystem : OrderSystem, IAsyncLifetime
{
    public OtlpCollector Collector { get; } = new();

    protected override IReadOnlyDictionary<string, string> CommandEnvironment => Exporting();

    protected override IReadOnlyDictionary<string, string> QueryEnvironment =>
        new Dictionary<string, string>(base.QueryEnvironment.Concat(Exporting()));

    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        await Collector.StartAsync();
        await InitializeAsync();
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await DisposeAsync();
        await Collector.DisposeAsync();
    }

    private Dictionary<string, string> Exporting() => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Collector.Endpoint.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
    };
}

[CollectionDefinition(nameof(ObservedSystem))]
public sealed class ObservedSystem : ICollectionFixture<ObservedOrderSystem>;
