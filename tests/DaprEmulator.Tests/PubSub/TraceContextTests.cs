using System.Text;
using DaprEmulator.Tests.Support;

namespace DaprEmulator.Tests.PubSub;

// The trace fields of the CloudEvent daprd builds when no tracing is configured. The sampling rate
// is then "" (1e-4, pkg/diagnostics/utils GetTraceSamplingRate), so the tracing middlewares run,
// but setupTracing registers no exporter and RegisterTracerProvider (pkg/runtime/trace.go) leaves
// OpenTelemetry's global no-op provider: tracer.Start only carries the caller's remote span context
// (diag.SpanContextFromRequest), and diag.TraceIDAndStateFromSpan (pkg/api/grpc PublishEvent,
// pkg/api/http onPublish) gives it back unchanged, or "" when there is none. contrib
// NewCloudEventsEnvelope writes that value to both traceid and traceparent.
public sealed class TraceContextTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_a_caller_trace_context_the_trace_fields_are_empty()
    {
        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders"));
        await using var env = await EmulatorWithApp.StartAsync("order-command", app.Port, Yaml.Redis("bus"));

        await env.Client.PublishEventAsync("bus", "orders", new { n = 1 }, Ct);

        var ce = (await Poll.ForAsync(() => app.At("/orders").FirstOrDefault(), "the event is delivered")).CloudEvent;
        Assert.Equal(("", "", ""), (ce["traceid"]!.GetValue<string>(), ce["traceparent"]!.GetValue<string>(), ce["tracestate"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01", "vendor=x", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "vendor=x")]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01", "vendor=x", "", "")]
    [InlineData("not-a-trace", "", "", "")]
    public async Task A_caller_trace_context_is_carried_as_it_is_without_a_child_span(string traceParent, string traceState, string traceId, string expectedState)
    {
        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders"));
        await using var env = await EmulatorWithApp.StartAsync("order-command", app.Port, Yaml.Redis("bus"));
        using var http = new HttpClient { BaseAddress = new Uri(env.Sidecar.HttpEndpoint) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1.0/publish/bus/orders") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("traceparent", traceParent);
        request.Headers.TryAddWithoutValidation("tracestate", traceState);

        (await http.SendAsync(request, Ct)).EnsureSuccessStatusCode();

        var ce = (await Poll.ForAsync(() => app.At("/orders").FirstOrDefault(), "the event is delivered")).CloudEvent;
        Assert.Equal((traceId, traceId, expectedState), (ce["traceid"]!.GetValue<string>(), ce["traceparent"]!.GetValue<string>(), ce["tracestate"]!.GetValue<string>()));
    }
}
