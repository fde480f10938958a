using System.Net;
using System.Text;
using OrderDapr.EndToEnd.Tests.Fixtures;

namespace OrderDapr.EndToEnd.Tests.Security;

// The routes only the sidecar may call, called by someone else: refused, and nothing changes.
[Collection(nameof(RunningSystem))]
public sealed class SidecarOnlyRoutes(OrderSystem system)
{
    private const string ForgedDelivery = """
        {"id":"b","topic":"orders","pubsubname":"orderpubsub","entries":[{"entryId":"e","contentType":"application/cloudevents+json","metadata":{},
         "event":{"id":"forged","type":"OrderCreated.v2","specversion":"1.0","datacontenttype":"application/json",
          "data":{"eventId":"x","orderId":"forged-order","version":1,"type":"OrderCreated.v2","occurredAt":"2026-01-01T00:00:00Z",
                  "data":{"customerId":"victim","items":[{"productId":"p","quantity":1,"unitPrice":1}],"currency":"USD"}}}}]}
        """;

    [Theory]
    [InlineData(null)]
    [InlineData("forged")]
    public async Task A_forged_event_posted_to_order_query_is_refused_and_never_shown(string? token)
    {
        using var http = new HttpClient { BaseAddress = system.QueryBaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events/orders") { Content = new StringContent(ForgedDelivery, Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            request.Headers.Add("dapr-api-token", token);
        }

        using var answer = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        Assert.Null(await system.GraphQL.OrderAsync("forged-order"));
        var victim = await system.GraphQL.QueryAsync("{ orders(customerId: \"victim\") { totalCount } }");
        Assert.Equal(0, victim.GetProperty("orders").GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task A_forged_actor_call_to_order_command_is_refused_and_stores_nothing()
    {
        using var http = new HttpClient { BaseAddress = system.CommandBaseAddress };
        var orderId = Guid.NewGuid().ToString();

        var answer = await system.AssertChangesNothingAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/actors/OrderActor/{orderId}/method/Execute")
            {
                Content = new StringContent("""{"command":{"kind":"place","customerId":"victim","items":[{"productId":"p","quantity":1,"unitPrice":1}],"currency":"USD"}}""", Encoding.UTF8, "application/json"),
            };
            using var response = await http.SendAsync(request);
            return new Answer(response.StatusCode, default, response);
        });

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await system.Commands.GetAsync($"/orders/{orderId}")).Status);
    }
}
