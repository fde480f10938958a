using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OrderDapr.Observability.Health;

namespace OrderDapr.Observability.Telemetry;

// OpenTelemetry for a service: spans of its HTTP server and of its calls to the sidecar (HTTP and
// gRPC, which carry the W3C trace context to Dapr), its own spans and metrics, ASP.NET Core's
// metrics. Always scrapeable at GET /metrics (Prometheus text); sent over OTLP as well when
// OTEL_EXPORTER_OTLP_ENDPOINT is set (the exporter reads the other OTEL_* variables itself).
public static class TelemetryRegistration
{
    public const string MetricsRoute = "/metrics";

    public static WebApplicationBuilder AddServiceTelemetry(this WebApplicationBuilder builder, ServiceTelemetry service)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(service.ServiceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource(service.ActivitySourceName)
                    // Probes and scrapes come every few seconds and say nothing about an order.
                    .AddAspNetCoreInstrumentation(options => options.Filter = http => !IsHousekeeping(http.Request.Path))
                    .AddHttpClientInstrumentation()
                    // One span per gRPC call to the sidecar, not a second one for its HTTP/2 request.
                    .AddGrpcClientInstrumentation(options => options.SuppressDownstreamInstrumentation = true);
                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(service.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    // Every scrape sees the counts of that moment: a command answered before it is in it.
                    .AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        return builder;
    }

    public static IEndpointConventionBuilder MapMetrics(this IEndpointRouteBuilder routes) =>
        routes.MapPrometheusScrapingEndpoint(MetricsRoute);

    private static bool IsHousekeeping(PathString path) =>
        path.StartsWithSegments(HealthEndpoints.Root) || path.StartsWithSegments(MetricsRoute);
}
