using System.Net;
using OrderDapr.EndToEnd.Tests.Fixtures;
using SpanKind = OrderDapr.EndToEnd.Tests.Observability.Otlp.Span.Types.SpanKind;

namespace OrderDapr.EndToEnd.Tests.Observability;

// One trace per order command across both services, as a tracing backend shows it: order-command's
// HTTP POST, its actor's work with the calls to the sidecar, and order-query's projection of the
// event the command stored, joined by the trace context Dapr carries in the CloudEvent.
[Collection(nameof(ObservedSystem))]
public sealed class TraceAcrossServicesTests(ObservedOrderSystem system)
{
    [Fact]
    public async Task Placing_and_paying_an_order_are_each_one_trace_from_the_POST_to_the_projection()
    {
        var orderId = await system.Commands.PlaceAsync($"c-{Guid.NewGuid():N}");
        var paid = await system.Commands.PayAsync(orderId, 19.98m);
        Assert.Equal(HttpStatusCode.OK, paid.Status);

        foreach (var (route, command, eventType) in new[]
        {
            ("/orders/", "PlaceOrder", "OrderCreated.v2"),
            ("/orders/{orderId}/pay", "PayOrder", "OrderPaid.v1"),
        })
        {
            var post = await SpanAsync(
                s => s.Service == "order-command" && s.Kind == SpanKind.Server && s.Attribute("http.request.method") == "POST"
                     && s.Attribute("http.route") == route && (route == "/orders/" || s.Attribute("url.path") == $"/orders/{orderId}/pay"),
                $"order-command's span of POST {route}", after: s => route != "/orders/" || TraceHolds(s.TraceId, orderId));
            var projection = await SpanAsync(
                s => s.Service == "order-query" && s.Name == "project" && s.Attribute("orderdapr.order_id") == orderId
                     && s.Attribute("orderdapr.event_type") == eventType,
                $"order-query's projection of {eventType}");

            Assert.Equal(post.TraceId, projection.TraceId);
            var trace = system.Collector.Spans.Where(s => s.TraceId == post.TraceId).ToList();
            Assert.Contains(trace, s => s.Service == "order-command" && s.Name == $"execute {command}"
                                        && s.Attribute("orderdapr.order_id") == orderId && s.Attribute("orderdapr.outcome") == "Accepted");
            Assert.Contains(trace, s => s.Service == "order-command" && s.Kind == SpanKind.Client && s.Name.Contains("PublishEvent", StringComparison.Ordinal));
            Assert.Contains(trace, s => s.Service == "order-command" && s.Kind == SpanKind.Client && s.Name.Contains("ExecuteStateTransaction", StringComparison.Ordinal));
            Assert.Equal("applied", Assert.Single(trace, s => s == projection).Attribute("orderdapr.outcome"));
        }
    }

    [Fact]
    public async Task A_GraphQL_request_has_its_own_graphql_span_under_the_HTTP_request()
    {
        var orderId = await system.Commands.PlaceAsync($"c-{Guid.NewGuid():N}");
        await system.GraphQL.OrderWhereAsync(orderId, o => o.ValueKind == System.Text.Json.JsonValueKind.Object, "the order in the read model");

        var graphql = await SpanAsync(s => s.Service == "order-query" && s.Name == "graphql", "a graphql span");
        var request = await SpanAsync(s => s.SpanId == graphql.ParentSpanId, "the graphql span's parent");
        Assert.Equal((SpanKind.Server, "/graphql"), (request.Kind, request.Attribute("http.route")));
    }

    // The placement's POST carries no order id; its trace is the one whose actor span names the order.
    private bool TraceHolds(string traceId, string orderId) =>
        system.Collector.Spans.Any(s => s.TraceId == traceId && s.Attribute("orderdapr.order_id") == orderId);

    private async Task<CollectedSpan> SpanAsync(Func<CollectedSpan, bool> match, string what, Func<CollectedSpan, bool>? after = null)
    {
        CollectedSpan? found = null;
        await Eventually.Async(() =>
        {
            found = system.Collector.Spans.FirstOrDefault(s => match(s) && (after?.Invoke(s) ?? true));
            return Task.FromResult(found is not null);
        }, what + " among " + string.Join("; ", system.Collector.Spans.Select(s => $"{s.Service} {s.Kind} {s.Name} (trace {s.TraceId})")));
        return found!;
    }
}
