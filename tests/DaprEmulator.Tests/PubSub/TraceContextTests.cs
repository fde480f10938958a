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

    // SpanContextFromW3CString reads the ids with trace.TraceIDFromHex / SpanIDFromHex, which take
    // lower-case hex only (otel-go trace/hex.go hexRev), and the flags with hex.DecodeString (any
    // case, first byte kept); SpanContextToW3CString writes version 00. The tracestate goes through
    // trace.ParseTraceState and TraceState.String: blanks around members and empty members go, an
    // invalid member (here an upper-case key) empties it.
    [Theory]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "vendor=x", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "vendor=x")]
    [InlineData("00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01", "vendor=x", "", "")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0B", "", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0b", "")]
    [InlineData("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-later", "", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "  a=1 ,, b@c=x y\t", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "a=1,b@c=x y")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "a=1,Vendor=x", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "a=1,a=2", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "")]
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

    // Over gRPC, SpanContextFromIncomingGRPCMetadata parses the tracestate next to the traceparent
    // but drops it: `sc.WithTraceState(*ts)` discards the copy it returns (pkg/diagnostics/grpc_tracing.go).
    [Fact]
    public async Task A_trace_state_sent_over_gRPC_is_not_carried()
    {
        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders"));
        await using var env = await EmulatorWithApp.StartAsync("order-command", app.Port, Yaml.Redis("bus"));
        using var source = new System.Diagnostics.ActivitySource("trace-context-test");
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);

        string traceId;
        using (var activity = source.StartActivity("publish")!)
        {
            activity.TraceStateString = "vendor=x";
            traceId = activity.TraceId.ToHexString();
            await env.Client.PublishEventAsync("bus", "orders", new { n = 1 }, Ct);
        }

        var ce = (await Poll.ForAsync(() => app.At("/orders").FirstOrDefault(), "the event is delivered")).CloudEvent;
        var traceParent = ce["traceparent"]!.GetValue<string>();
        Assert.StartsWith($"00-{traceId}-", traceParent, StringComparison.Ordinal);
        Assert.Equal((traceParent, ""), (ce["traceid"]!.GetValue<string>(), ce["tracestate"]!.GetValue<string>()));
    }

    // The delivery's trace headers come from the callback span, started from the event's
    // traceparent as diag.SpanContextFromW3CString reads it (pkg/runtime/subscription/postman/http
    // Deliver): re-serialized as version 00, without the event's tracestate, and none at all when
    // the field does not parse. The event itself is delivered as published.
    [Theory]
    [InlineData("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-later", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]
    [InlineData("not-a-trace", null)]
    public async Task A_delivery_carries_the_events_trace_context_as_daprd_reads_it(string eventTraceParent, string? header)
    {
        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders"));
        await using var env = await EmulatorWithApp.StartAsync("order-command", app.Port, Yaml.Redis("bus"));
        using var http = new HttpClient { BaseAddress = new Uri(env.Sidecar.HttpEndpoint) };
        var cloudEvent = $$"""
            {"specversion":"1.0","id":"e-1","source":"test","type":"t","datacontenttype":"application/json","data":{},
             "traceid":"{{eventTraceParent}}","traceparent":"{{eventTraceParent}}","tracestate":"vendor=x"}
            """;

        (await http.PostAsync("/v1.0/publish/bus/orders", new StringContent(cloudEvent, Encoding.UTF8, "application/cloudevents+json"), Ct)).EnsureSuccessStatusCode();

        var delivered = await Poll.ForAsync(() => app.At("/orders").FirstOrDefault(), "the event is delivered");
        Assert.Equal(header, delivered.Headers.GetValueOrDefault("traceparent"));
        Assert.False(delivered.Headers.ContainsKey("tracestate"), "the event's tracestate is not a header of the delivery");
        Assert.Equal((eventTraceParent, "vendor=x"), (delivered.CloudEvent["traceparent"]!.GetValue<string>(), delivered.CloudEvent["tracestate"]!.GetValue<string>()));
    }
}
