using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrderDapr.Query.Changes;
using OrderDapr.Query.ReadModel;
using OrderDapr.Query.Tests.Fixtures;
using static OrderDapr.Query.Tests.Fixtures.Given;

namespace OrderDapr.Query.Tests;

// The change feed's route as the sidecar delivers to it (/events/order-changes, CloudEvents of
// topic order-changes): what a replica hands on to its subscribers, and what it drops.
public sealed class ChangeFeedTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static OrderView View(string id, int version) =>
        new(id) { CustomerId = "customer-1", Status = OrderStatus.Created, Currency = "EUR", Version = version, CreatedAt = T0, UpdatedAt = T0 };

    private static async Task<GraphQLWsClient> SubscribedAsync(QueryHost host)
    {
        var client = await GraphQLWsClient.ConnectAsync(host);
        await client.InitAsync();
        await client.SubscribeAsync("1", "subscription { orderChanged(id: \"order-1\") { id version } }");
        await host.WatchingAsync(1);
        return client;
    }

    [Theory]
    [InlineData("\"not a batch\"")]
    [InlineData("""{"committedAt":"2025-03-01T10:00:00Z"}""")]
    [InlineData("""{"committedAt":"2025-03-01T10:00:00Z","generations":[{"generation":0,"orders":[{"id":"order-1","version":1}]}]}""")]
    public async Task A_message_that_is_no_batch_of_created_orders_is_dropped_for_good(string data)
    {
        await using var host = await QueryHost.StartAsync();

        using var response = await ChangeFeedSidecars.DeliverAsync(host, JsonDocument.Parse(data).RootElement, TestContext.Current.CancellationToken);

        Assert.Equal("DROP", (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("status").GetString());
        await host.LoggedAsync(e => e.Level == LogLevel.Warning && e.Message.Contains("is not a batch of order changes", StringComparison.Ordinal), "the drop");
    }

    [Fact]
    public async Task Changes_committed_before_the_replica_started_are_history_and_not_pushed()
    {
        await using var host = await QueryHost.StartAsync();
        await using var client = await SubscribedAsync(host);

        var history = new OrderChanges(T0.AddMinutes(-1), [new GenerationChanges(0, [View("order-1", 1)])]);
        var news = new OrderChanges(T0, [new GenerationChanges(0, [View("order-1", 2)])]);
        await ChangeFeedSidecars.DeliverAsync(host, JsonSerializer.SerializeToElement(history, Json), TestContext.Current.CancellationToken);
        await ChangeFeedSidecars.DeliverAsync(host, JsonSerializer.SerializeToElement(news, Json), TestContext.Current.CancellationToken);

        var next = await client.ExpectAsync("next");
        Assert.Equal(2, next.GetProperty("payload").GetProperty("data").GetProperty("orderChanged").GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task An_older_version_delivered_late_is_not_pushed()
    {
        await using var host = await QueryHost.StartAsync();
        await using var client = await SubscribedAsync(host);

        foreach (var version in new[] { 2, 1, 3 })
        {
            var changes = new OrderChanges(T0, [new GenerationChanges(0, [View("order-1", version)])]);
            await ChangeFeedSidecars.DeliverAsync(host, JsonSerializer.SerializeToElement(changes, Json), TestContext.Current.CancellationToken);
        }

        Assert.Equal(2, (await client.ExpectAsync("next")).GetProperty("payload").GetProperty("data").GetProperty("orderChanged").GetProperty("version").GetInt32());
        Assert.Equal(3, (await client.ExpectAsync("next")).GetProperty("payload").GetProperty("data").GetProperty("orderChanged").GetProperty("version").GetInt32());
    }
}
