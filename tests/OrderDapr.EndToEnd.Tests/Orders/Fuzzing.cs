using System.Globalization;
using System.Text;
using CsCheck;
using OrderDapr.EndToEnd.Tests.Fixtures;

namespace OrderDapr.EndToEnd.Tests.Orders;

// Property: no bad input — malformed or rule-breaking bodies, headers and ids, GraphQL documents
// and variables, calls to the routes only the sidecar may call — gets a 5xx, and together they
// store nothing and publish nothing. Every generated request is invalid by construction.
[Collection(nameof(RunningSystem))]
public sealed class Fuzzing(OrderSystem system)
{
    private const int Requests = 10_000;

    public sealed record BadRequest(bool ToQuery, string Method, string Path, string? ContentType, string? Body, (string Name, string Value)[] Headers)
    {
        public override string ToString() =>
            $"{Method} {(ToQuery ? "order-query" : "order-command")}{Path} [{ContentType}] {string.Join(' ', Headers.Select(h => $"{h.Name}: {h.Value}"))} {Body}";
    }

    [Fact]
    public async Task Ten_thousand_bad_requests_get_no_5xx_and_change_nothing()
    {
        using var command = Client(system.CommandBaseAddress);
        using var query = Client(system.QueryBaseAddress);
        var sent = 0;

        await system.AssertChangesNothingAsync(async () =>
        {
            await BadRequests.SampleAsync(async request =>
            {
                using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path);
                if (request.Body is not null)
                {
                    message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(request.Body));
                    if (request.ContentType is not null)
                    {
                        message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
                    }
                }

                foreach (var (name, value) in request.Headers)
                {
                    message.Headers.TryAddWithoutValidation(name, value);
                }

                using var response = await (request.ToQuery ? query : command).SendAsync(message);
                Interlocked.Increment(ref sent);
                Assert.True((int)response.StatusCode < 500,
                    $"{(int)response.StatusCode} for {request}: {await response.Content.ReadAsStringAsync()}");
            }, iter: Requests, threads: 4);
        });

        Assert.Equal(Requests, sent);
    }

    // Sends header values as UTF-8 bytes, as a hostile client may (HttpClient refuses non-ASCII by default).
    private static HttpClient Client(Uri baseAddress) =>
        new(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };

    private static readonly string[] CommandPaths = ["pay", "ship", "deliver", "cancel"];

    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.String,
        Gen.Const(""),
        Gen.Const(" "),
        Gen.Const(new string('x', 201)),
        Gen.Const("a\u0000b"),
        Gen.Const("tab\there"),
        Gen.Const("日本語"),
        Gen.Const("a||b"),
        Gen.Const("../../etc/passwd"));

    private static readonly Gen<string> NotAnOrderId = Gen.OneOf(Text.Where(t => !Guid.TryParseExact(t, "D", out _)), Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture)));

    private static readonly Gen<string> JsonValue = Gen.OneOf(
        Gen.Const("null"), Gen.Const("true"), Gen.Const("[]"), Gen.Const("{}"), Gen.Const("\"x\""), Gen.Const("-1"), Gen.Const("1e400"),
        Gen.Const("1.005"), Gen.Const("\"12\""), Gen.Const("[1,2]"), Gen.Const("{\"a\":1}"), Gen.Const("9999999999999999999999"));

    // A valid placement with exactly one rule broken.
    private static readonly Gen<string> BrokenPlacement = Gen.OneOf(
        Gen.Const("""{"items":[{"productId":"p","quantity":1,"unitPrice":1}]}"""),
        Text.Where(t => string.IsNullOrWhiteSpace(t) || t.Length > 200 || t.Any(char.IsControl)).Select(t => $$"""{"customerId":{{Quote(t)}},"items":[{"productId":"p","quantity":1,"unitPrice":1}]}"""),
        Gen.Const("""{"customerId":"c","items":[]}"""),
        Gen.Const($$"""{"customerId":"c","items":[{{string.Join(',', Enumerable.Repeat("""{"productId":"p","quantity":1,"unitPrice":1}""", 101))}}]}"""),
        Gen.Int[int.MinValue, 0].Select(q => $$"""{"customerId":"c","items":[{"productId":"p","quantity":{{q}},"unitPrice":1}]}"""),
        Gen.Const("""{"customerId":"c","items":[{"productId":"p","quantity":1000001,"unitPrice":1}]}"""),
        JsonValue.Select(v => $$"""{"customerId":"c","items":[{"productId":"p","quantity":{{v}},"unitPrice":1}]}"""),
        Gen.Const("""{"customerId":"c","items":[{"productId":"p","quantity":1,"unitPrice":1.005}]}"""),
        Gen.Const("""{"customerId":"c","items":[{"productId":"p","quantity":1,"unitPrice":-0.01}]}"""),
        JsonValue.Where(v => v is not "-1" and not "1.005").Select(v => $$"""{"customerId":"c","items":[{"productId":"p","quantity":1,"unitPrice":{{v}}}]}"""),
        Gen.Const("""{"customerId":"c","items":[{"quantity":1,"unitPrice":1}]}"""),
        Gen.Const("""{"customerId":"c","items":[null]}"""),
        Gen.Const("""{"customerId":"c","items":[{"productId":"p","quantity":1,"unitPrice":1}],"extra":true}"""),
        Gen.OneOf(Gen.Const("\"usd\""), Gen.Const("\"US\""), Gen.Const("12"), Gen.Const("\"EURO\"")).Select(c => $$"""{"customerId":"c","currency":{{c}},"items":[{"productId":"p","quantity":1,"unitPrice":1}]}"""),
        Gen.Const("""{"customerId":"c","items":[{"productId":"p","quantity":1,"unitPrice":1}]} trailing"""),
        Gen.Const("""{"customerId":"c","items":[{"productId":"p","quantity":1,"unitPrice":1},]}"""),
        Gen.Const(new string('[', 5000)),
        Text,
        JsonValue);

    private static readonly Gen<BadRequest> Placements = Gen.OneOf(
        BrokenPlacement.Select(b => new BadRequest(false, "POST", "/orders", "application/json", b, [])),
        Gen.Const(new BadRequest(false, "POST", "/orders", "text/plain", """{"customerId":"c","items":[{"productId":"p","quantity":1,"unitPrice":1}]}""", [])),
        Gen.OneOf(Gen.Const(new string('k', 256)), Gen.Const("key with spaces"), Gen.Const("ключ"), Gen.Const(""))
            .Select(k => new BadRequest(false, "POST", "/orders", "application/json", """{"customerId":"c","items":[{"productId":"p","quantity":1,"unitPrice":1}]}""", [("Idempotency-Key", k)])));

    private static readonly Gen<BadRequest> OrderCommands = Gen.OneOf(
        // Unknown orders (valid ids nobody placed) and ids that cannot name an order.
        Gen.Select(Gen.Guid, Gen.OneOf(CommandPaths), (id, c) => new BadRequest(false, "POST", $"/orders/{id}/{c}", "application/json", """{"amount":1,"paymentId":"p","trackingNumber":"t","reason":"r"}""", [])),
        Gen.Select(NotAnOrderId, Gen.OneOf(CommandPaths), (id, c) => new BadRequest(false, "POST", $"/orders/{Uri.EscapeDataString(id)}/{c}", "application/json", "{}", [])),
        Gen.Select(Gen.Guid, Gen.OneOf(CommandPaths), Text, (id, c, tag) => new BadRequest(false, "POST", $"/orders/{id}/{c}", "application/json", "{}", [("If-Match", tag)])),
        Gen.Select(Gen.Guid, JsonValue, (id, v) => new BadRequest(false, "POST", $"/orders/{id}/pay", "application/json", $$"""{"amount":{{v}},"paymentId":"p"}""", [])),
        Gen.Select(Gen.Guid, Text, (id, body) => new BadRequest(false, "POST", $"/orders/{id}/ship", "application/json", body, [])),
        Gen.Select(NotAnOrderId, id => new BadRequest(false, "GET", $"/orders/{Uri.EscapeDataString(id)}", null, null, [])),
        Gen.Select(Gen.Guid, Text, (id, v) => new BadRequest(false, "GET", $"/orders/{id}?version={Uri.EscapeDataString(v)}", null, null, [])),
        Gen.Select(Gen.OneOf("PUT", "DELETE", "PATCH"), Gen.Guid, (m, id) => new BadRequest(false, m, $"/orders/{id}", "application/json", "{}", [])),
        Text.Select(t => new BadRequest(false, "GET", "/" + Uri.EscapeDataString(t), null, null, [])));

    // Routes only the sidecar may call, called without its token or with a wrong one.
    private static readonly Gen<BadRequest> SidecarRoutes = Gen.OneOf(
        Gen.Select(Gen.Guid, Text, Gen.Bool, (id, body, token) => new BadRequest(false, "PUT", $"/actors/OrderActor/{id}/method/Execute", "application/json",
            token ? body : """{"command":{"kind":"place","customerId":"victim","items":[{"productId":"p","quantity":1,"unitPrice":1}],"currency":"USD"}}""",
            token ? [("dapr-api-token", "forged")] : [])),
        Gen.Select(Gen.Guid, id => new BadRequest(false, "PUT", $"/actors/OrderActor/{id}/method/remind/payment-deadline", "application/json", "{}", [])),
        Gen.Select(Gen.Bool, token => new BadRequest(true, "POST", "/events/orders", "application/json",
            """{"id":"b","entries":[{"entryId":"e","event":{"id":"forged","type":"OrderCreated.v2","specversion":"1.0","datacontenttype":"application/json","data":{"eventId":"x","orderId":"forged-order","version":1,"type":"OrderCreated.v2","occurredAt":"2026-01-01T00:00:00Z","data":{"customerId":"victim","items":[{"productId":"p","quantity":1,"unitPrice":1}],"currency":"USD"}}},"contentType":"application/cloudevents+json"}]}""",
            token ? [("dapr-api-token", "forged")] : [])),
        Text.Select(t => new BadRequest(true, "POST", "/events/orders/unknown-type", "application/json", t, [])),
        Gen.Const(new BadRequest(false, "GET", "/dapr/config", null, null, [])),
        Gen.Const(new BadRequest(true, "GET", "/dapr/subscribe", null, null, [])));

    private static readonly Gen<string> BadDocument = Gen.OneOf(
        Text,
        Gen.Const("{ order(id: \"x\") { nope } }"),
        Gen.Const("{ orders(customerId: \"c\", first: 1000) { totalCount } }"),
        Gen.Const("{ orders(customerId: \"c\", first: -5) { totalCount } }"),
        Gen.Const("{ orders(customerId: \"c\", after: \"bm9wZQ==\") { totalCount } }"),
        Gen.Const("mutation { placeOrder }"),
        Gen.Const("subscription { orderChanged(id: \"x\") { id } }"),
        Gen.Const("{ " + string.Concat(Enumerable.Repeat("order(id: \"x\") { ", 40)) + "id" + new string('}', 41)),
        Gen.Const("query($id: ID!) { order(id: $id) { id } }"),
        Gen.Const("{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } }"));

    private static readonly Gen<BadRequest> GraphQL = Gen.OneOf(
        BadDocument.Select(d => new BadRequest(true, "POST", "/graphql", "application/json", $$"""{"query":{{Quote(d)}}}""", [])),
        Gen.Select(BadDocument, JsonValue, (d, v) => new BadRequest(true, "POST", "/graphql", "application/json", $$"""{"query":{{Quote(d)}},"variables":{{v}}}""", [])),
        Gen.Const(new BadRequest(true, "POST", "/graphql", "application/json", """{"query":"query($id: ID!) { order(id: $id) { id } }","variables":{"id":{"nested":true}}}""", [])),
        Text.Select(t => new BadRequest(true, "POST", "/graphql", "application/json", t, [])),
        Text.Select(t => new BadRequest(true, "POST", "/graphql", "text/plain", $$"""{"query":{{Quote(t)}}}""", [])),
        Text.Select(t => new BadRequest(true, "GET", $"/graphql?query={Uri.EscapeDataString(t)}&variables={Uri.EscapeDataString(t)}", null, null, [])),
        Gen.Const(new BadRequest(true, "GET", "/graphql?query=" + Uri.EscapeDataString("mutation { x }"), null, null, [])),
        Gen.Const(new BadRequest(true, "POST", "/graphql", "application/json", new string('a', 70_000), [])));

    // Admin routes without the admin token.
    private static readonly Gen<BadRequest> Admin = Gen.OneOf(
        Gen.Const(new BadRequest(true, "GET", "/admin/dead-letters", null, null, [])),
        Text.Select(t => new BadRequest(true, "POST", "/admin/dead-letters/replay", "application/json", """{"all":true}""", [("Authorization", "Bearer " + t)])),
        Gen.Const(new BadRequest(true, "POST", "/admin/projections/rebuild", "application/json", "{}", [])));

    private static readonly Gen<BadRequest> BadRequests = Gen.Frequency(
        (4, Placements), (4, OrderCommands), (2, SidecarRoutes), (4, GraphQL), (1, Admin));

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
