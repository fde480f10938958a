namespace OrderDapr.Observability.Telemetry;

// What one service reports as: its name (its Dapr app id), and the ActivitySource and Meter its
// own code records spans and measurements with.
public sealed record ServiceTelemetry(string ServiceName, string ActivitySourceName, string MeterName);
