using System.Text.Json;
using Dapr.Client;
using DaprEmulator.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using OrderDapr.Command.EventStore;
using OrderDapr.Contracts;
using OrderDapr.Testing;

namespace OrderDapr.Command.Tests;

// The event store through the real Dapr SDK against a sidecar loaded with the repository's own
// components/: an append is stored and published together, or neither; published right after
// the commit and once more by Dapr's outbox.
public sealed class OrderStreamStoreTests : IAsyncLifetime
{
    private DaprEmulatorHost emulator = null!;
    private DaprClient dapr = null!;
    private OrderStreamStore store = null!;

    public async ValueTask InitializeAsync()
    {
        emulator = await DaprEmulatorHost.StartAsync(new EmulatorOptions { ResourcesPaths = [Repository.Components] });
        var sidecar = await emulator.StartSidecarAsync(new SidecarOptions { AppId = "order-command" });
        dapr = new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcEndpoint).UseHttpEndpoint(sidecar.HttpEndpoint).Build();
        store = new OrderStreamStore(dapr, NullLogger<OrderStreamStore>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        dapr.Dispose();
        await emulator.DisposeAsync();
    }

    [Fact]
    public async Task An_append_is_stored_then_published_at_once_and_again_by_the_outbox_typed_by_its_event_name()
    {
        var orderId = Guid.NewGuid().ToString();
        var (empty, etag) = await store.LoadAsync(orderId, default);
        var created = Envelope(orderId, 1, new OrderCreated("c-1", [new("p-1", 1, 5m)], "USD"));

        await store.AppendAsync(empty, etag, created, empty with { Events = [created] }, default);

        var (stored, _) = await store.LoadAsync(orderId, default);
        Assert.Equal(created.EventId, Assert.Single(stored.Events).EventId);
        await PublishedAsync(orderId, 2);
        await emulator.WaitForIdleAsync(TimeSpan.FromSeconds(30));
        var published = await PublishedAsync(orderId, 2);
        Assert.Equal(2, published.Count);
        Assert.All(published, cloudEvent =>
        {
            Assert.Equal("OrderCreated.v2", cloudEvent.GetProperty("type").GetString());
            Assert.Equal(orderId, cloudEvent.GetProperty("subject").GetString());
            Assert.Equal(created.EventId, cloudEvent.GetProperty("data").GetProperty("eventId").GetString());
            Assert.Equal(1, cloudEvent.GetProperty("data").GetProperty("version").GetInt32());
        });

        // The fast path names its CloudEvent after the event; the outbox after its marker record.
        Assert.Equal(created.EventId, published[0].GetProperty("id").GetString());
        Assert.StartsWith("outbox-", published[1].GetProperty("id").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_append_on_a_stale_stream_is_refused_and_neither_stored_nor_published()
    {
        var orderId = Guid.NewGuid().ToString();
        var (empty, noEtag) = await store.LoadAsync(orderId, default);
        var created = Envelope(orderId, 1, new OrderCreated("c-1", [new("p-1", 1, 5m)], "USD"));
        await store.AppendAsync(empty, noEtag, created, empty with { Events = [created] }, default);
        var (v1, etag1) = await store.LoadAsync(orderId, default);
        var paid = Envelope(orderId, 2, new OrderPaid(5m, "pay-1"));
        await store.AppendAsync(v1, etag1, paid, v1 with { Events = [.. v1.Events, paid] }, default);

        // A second writer still holding version 1 and its ETag.
        var cancelled = Envelope(orderId, 2, new OrderCancelled("late"));
        await Assert.ThrowsAsync<StreamConcurrencyException>(() =>
            store.AppendAsync(v1, etag1, cancelled, v1 with { Events = [.. v1.Events, cancelled] }, default));

        await emulator.WaitForIdleAsync(TimeSpan.FromSeconds(30));
        var (stored, _) = await store.LoadAsync(orderId, default);
        Assert.Equal(["OrderCreated.v2", "OrderPaid.v1"], stored.Events.Select(e => e.Type));
        Assert.DoesNotContain(await PublishedAsync(orderId, 2), e => e.GetProperty("type").GetString() == "OrderCancelled.v1");
    }

    [Fact]
    public async Task Creating_a_stream_that_already_exists_is_refused()
    {
        var orderId = Guid.NewGuid().ToString();
        var (empty, etag) = await store.LoadAsync(orderId, default);
        var first = Envelope(orderId, 1, new OrderCreated("c-1", [new("p-1", 1, 5m)], "USD"));
        var second = Envelope(orderId, 1, new OrderCreated("c-2", [new("p-9", 9, 9m)], "USD"));
        await store.AppendAsync(empty, etag, first, empty with { Events = [first] }, default);

        await Assert.ThrowsAsync<StreamConcurrencyException>(() =>
            store.AppendAsync(empty, etag, second, empty with { Events = [second] }, default));

        var (stored, _) = await store.LoadAsync(orderId, default);
        Assert.Equal("c-1", ((OrderCreated)EventSerializer.FromEnvelope(Assert.Single(stored.Events))).CustomerId);
    }

    private async Task<List<JsonElement>> PublishedAsync(string orderId, int atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var found = emulator.GetPublishedMessages("orderpubsub", "orders")
                .Select(m => JsonDocument.Parse(m.Data).RootElement.Clone())
                .Where(e => e.GetProperty("data").GetProperty("orderId").GetString() == orderId)
                .ToList();
            if (found.Count >= atLeast || DateTime.UtcNow > deadline)
            {
                return found;
            }

            await Task.Delay(50);
        }
    }

    private static EventEnvelope Envelope(string orderId, int version, OrderEvent @event) =>
        new(Guid.NewGuid().ToString(), orderId, version, EventSerializer.TypeNameOf(@event), DateTimeOffset.UtcNow, EventSerializer.ToData(@event));
}
