using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapr.Client;
using OrderDapr.EndToEnd.Tests.Fixtures;

namespace OrderDapr.EndToEnd.Tests.Admin;

// What an operator does with order-query's /admin routes, through the running system.
[Collection(nameof(RunningSystem))]
public sealed class DeadLettersAndRebuild(OrderSystem system)
{
    private HttpClient Admin()
    {
        var http = new HttpClient { BaseAddress = system.QueryBaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", system.AdminToken);
        return http;
    }

    [Fact]
    public async Task An_event_that_cannot_be_projected_is_parked_with_why_and_stays_parked_when_replayed()
    {
        var eventId = Guid.NewGuid().ToString();
        using (var dapr = new DaprClientBuilder().UseGrpcEndpoint(system.CommandSidecarGrpcEndpoint).UseDaprApiToken(system.Tokens["order-command"].DaprApiToken).Build())
        {
            // An OrderCreated without a customer, as a broken publisher could send it.
            await dapr.PublishEventAsync("orderpubsub", "orders",
                new { eventId, orderId = Guid.NewGuid().ToString(), version = 1, type = "OrderCreated.v2", occurredAt = DateTimeOffset.UtcNow, data = new { items = Array.Empty<object>(), currency = "EUR" } },
                new Dictionary<string, string> { ["cloudevent.id"] = eventId, ["cloudevent.type"] = "OrderCreated.v2" });
        }

        using var admin = Admin();
        JsonElement parked = default;
        await Eventually.Async(async () =>
        {
            var listing = await admin.GetFromJsonAsync<JsonElement>("/admin/dead-letters?limit=100");
            parked = listing.GetProperty("entries").EnumerateArray().FirstOrDefault(e => e.GetProperty("id").GetString() == eventId);
            return parked.ValueKind == JsonValueKind.Object;
        }, "the poison event to be parked");

        Assert.Equal("OrderCreated.v2", parked.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(parked.GetProperty("reason").GetString()));

        using var replay = await admin.PostAsJsonAsync("/admin/dead-letters/replay", new { ids = new[] { eventId } });
        var result = (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results")[0];
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal("still-poison", result.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task A_rebuild_repairs_a_lost_read_model_document_from_the_event_streams()
    {
        var customer = $"c-{Guid.NewGuid():N}";
        var lost = await system.Commands.PlaceAsync(customer);
        await system.Commands.PayAsync(lost, 19.98m);
        var kept = await system.Commands.PlaceAsync(customer);
        await system.GraphQL.OrderAtVersionAsync(lost, 2);
        await system.GraphQL.OrderAtVersionAsync(kept, 1);

        // A projection bug or an operator's mistake: the document is gone from the read model.
        using (var dapr = new DaprClientBuilder().UseGrpcEndpoint(system.QuerySidecar.GrpcEndpoint).UseDaprApiToken(system.Tokens["order-query"].DaprApiToken).Build())
        {
            await dapr.DeleteStateAsync("readmodel", await CurrentKeyAsync(lost));
        }

        // Gone from GraphQL too, once order-query's read cache no longer holds the view it read
        // before (ReadCache:MaxAge, 10 s).
        await Eventually.Async(async () => await system.GraphQL.OrderAsync(lost) is null, "GraphQL to show the order as lost");

        using var admin = Admin();
        using var started = await admin.PostAsync("/admin/projections/rebuild", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        JsonElement progress = default;
        await Eventually.Async(async () =>
        {
            progress = await admin.GetFromJsonAsync<JsonElement>("/admin/projections/rebuild");
            return progress.GetProperty("state").GetString() is "completed" or "failed";
        }, "the rebuild to end", TimeSpan.FromMinutes(2));

        Assert.True(progress.GetProperty("state").GetString() == "completed", $"the rebuild ended {progress}");
        var repaired = await system.GraphQL.OrderAsync(lost);
        Assert.NotNull(repaired);
        Assert.Equal(("PAID", 2), (repaired.Value.GetProperty("status").GetString(), repaired.Value.GetProperty("version").GetInt32()));
        var orders = await system.GraphQL.QueryAsync("query($c: String!) { orders(customerId: $c) { totalCount } }", new { c = customer });
        Assert.Equal(2, orders.GetProperty("orders").GetProperty("totalCount").GetInt32());
    }

    // The key of the order's document in the generation GraphQL reads now.
    private async Task<string> CurrentKeyAsync(string orderId)
    {
        using var admin = Admin();
        var status = await admin.GetFromJsonAsync<JsonElement>("/admin/projections/rebuild");
        var generation = status.GetProperty("currentGeneration").GetInt32();
        return generation == 0 ? $"order-{orderId}" : $"g{generation}-order-{orderId}";
    }
}
