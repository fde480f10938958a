using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OrderDapr.Command.EventStore;
using OrderDapr.Command.Http;
using OrderDapr.Command.StreamIndex;
using OrderDapr.Command.Tests.Hosting;
using OrderDapr.Contracts;

namespace OrderDapr.Command.Tests;

// The stream index through the running app: placements record their order ids (group commit),
// and GET /streams hands every stream out once.
public sealed class StreamIndexTests
{
    [Fact]
    public async Task Every_placed_order_is_in_the_index_and_comes_out_of_streams_exactly_once()
    {
        var saves = new RecordingIndexStore();
        await using var host = await CommandHost.StartAsync(new CommandHostOptions { Services = saves.Install });
        var placed = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            placed.Add(await host.PlaceAsync());
        }

        placed.AddRange(await Task.WhenAll(Enumerable.Range(0, 200).Select(i => host.PlaceAsync($"c-{i % 7}"))));
        using var pay = await host.Public.PostAsJsonAsync($"/orders/{placed[0]}/pay", new { amount = 19.98m, paymentId = "pay-1" });
        Assert.Equal(HttpStatusCode.OK, pay.StatusCode);

        var indexed = await IndexedIdsAsync(host);
        Assert.Equal(placed.Order(StringComparer.Ordinal), indexed.Order(StringComparer.Ordinal));

        var streams = await host.AllStreamsAsync(limit: 17);
        Assert.Equal(placed.Order(StringComparer.Ordinal), streams.Select(s => s.OrderId).Order(StringComparer.Ordinal));
        Assert.All(streams, s => Assert.Equal("OrderCreated.v2", s.Events[0].Type));
        Assert.Equal(["OrderCreated.v2", "OrderPaid.v1"], streams.Single(s => s.OrderId == placed[0]).Events.Select(e => e.Type));

        // Each save writes one document and carries at least one new id: never more saves than placements.
        Assert.Equal(placed.Count, saves.PageSaves.Sum(s => s.NewIds));
        Assert.All(saves.PageSaves, s => Assert.InRange(s.NewIds, 1, StreamIndexPage.Capacity));
        Assert.Equal(1, saves.LaneSaves);
    }

    [Fact]
    public async Task Placements_waiting_for_the_index_share_one_save()
    {
        var saves = new RecordingIndexStore { HoldFirstPageSave = true };
        await using var host = await CommandHost.StartAsync(new CommandHostOptions { Services = saves.Install });

        var first = host.PlaceAsync();
        await Poll.UntilAsync(() => saves.PageSavesStarted == 1, "the first index save to start");
        var waiting = Enumerable.Range(0, 40).Select(_ => host.PlaceAsync()).ToList();
        await Poll.UntilAsync(() => host.IndexWriter.Waiting == 40, "40 placements to wait for the index");
        saves.ReleaseFirstPageSave();
        var ids = await Task.WhenAll(waiting.Prepend(first));

        Assert.Equal(new[] { 1, 40 }, saves.PageSaves.Select(s => s.NewIds));
        Assert.Equal(ids.Order(StringComparer.Ordinal), (await IndexedIdsAsync(host)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_placement_whose_index_save_fails_stores_no_stream_and_publishes_nothing()
    {
        var saves = new RecordingIndexStore { FailPageSaves = true };
        await using var host = await CommandHost.StartAsync(new CommandHostOptions { Services = saves.Install });
        var orderId = IdempotencyKey.OrderIdFor("index-down-1");

        using var refused = await PlaceWithKeyAsync(host, "index-down-1");

        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        await host.Emulator.WaitForIdleAsync(Poll.Bound);
        Assert.Null(await host.StoredStreamAsync(orderId));
        Assert.Empty(host.Published());
        Assert.Empty(await IndexedIdsAsync(host));

        // The writer is not stuck on the failure: the retry of the same request goes through.
        saves.FailPageSaves = false;
        using var retried = await PlaceWithKeyAsync(host, "index-down-1");
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.NotNull(await host.StoredStreamAsync(orderId));
        Assert.Equal([orderId], await IndexedIdsAsync(host));
    }

    [Fact]
    public async Task Ids_without_a_stream_are_skipped_and_a_repeated_id_comes_out_once_per_page()
    {
        await using var host = await CommandHost.StartAsync();
        var ghost = Guid.NewGuid().ToString();
        await host.IndexWriter.RecordAsync(ghost);
        var placed = await host.PlaceAsync();
        await host.IndexWriter.RecordAsync(placed);
        await host.IndexWriter.RecordAsync(Guid.NewGuid().ToString());

        Assert.Equal([ghost, placed, placed], (await IndexedIdsAsync(host)).Take(3));
        var streams = await host.AllStreamsAsync(limit: StreamPages.MaxLimit);
        Assert.Equal([placed], streams.Select(s => s.OrderId));
    }

    [Fact]
    public async Task Streams_are_read_across_index_pages_in_index_order()
    {
        await using var host = await CommandHost.StartAsync();
        var ids = Enumerable.Range(0, StreamIndexPage.Capacity + 3).Select(_ => Guid.NewGuid().ToString()).ToList();
        await Task.WhenAll(ids.Select(host.IndexWriter.RecordAsync));
        var recorded = await IndexedIdsAsync(host);
        int[] withStreams = [0, StreamIndexPage.Capacity - 1, StreamIndexPage.Capacity, StreamIndexPage.Capacity + 2];
        var expected = withStreams.Select(i => recorded[i]).ToList();
        var store = new OrderStreamStore(host.Dapr, NullLogger<OrderStreamStore>.Instance);
        foreach (var orderId in expected)
        {
            await StoredStreams.CreateAsync(store, orderId);
        }

        var lane = host.IndexWriter.LaneId;
        Assert.Equal(StreamIndexPage.Capacity, (await host.Dapr.GetStateAsync<StreamIndexPage>(Messaging.EventStore, StreamIndexPage.KeyOf(lane, 0))).OrderIds.Count);
        Assert.Equal(3, (await host.Dapr.GetStateAsync<StreamIndexPage>(Messaging.EventStore, StreamIndexPage.KeyOf(lane, 1))).OrderIds.Count);
        Assert.Equal(expected, (await host.AllStreamsAsync(limit: 1)).Select(s => s.OrderId));
        Assert.Equal(expected, (await host.AllStreamsAsync(limit: 3)).Select(s => s.OrderId));
    }

    [Fact]
    public async Task Streams_of_an_empty_index_is_one_empty_last_page()
    {
        await using var host = await CommandHost.StartAsync();
        using var sidecar = host.AsSidecar();

        var page = await sidecar.GetFromJsonAsync<StreamPage>(StreamPages.Route);

        Assert.Empty(page!.Streams);
        Assert.Null(page.NextCursor);
    }

    [Theory]
    [InlineData("limit=0", "limit-invalid")]
    [InlineData("limit=501", "limit-invalid")]
    [InlineData("limit=-1", "limit-invalid")]
    [InlineData("limit=abc", "limit-invalid")]
    [InlineData("limit=2&limit=3", "limit-invalid")]
    [InlineData("after=", "cursor-invalid")]
    [InlineData("after=not-a-cursor!", "cursor-invalid")]
    [InlineData("after=bm90LWEtY3Vyc29y", "cursor-invalid")]
    [InlineData("after={unknown-lane}", "cursor-invalid")]
    [InlineData("after={offset-past-a-page}", "cursor-invalid")]
    public async Task Bad_cursors_and_limits_are_refused_with_a_problem(string query, string code)
    {
        await using var host = await CommandHost.StartAsync();
        await host.PlaceAsync();
        using var sidecar = host.AsSidecar();
        query = query
            .Replace("{unknown-lane}", new StreamCursor(Guid.NewGuid().ToString("N"), 0, 0).Encode(), StringComparison.Ordinal)
            .Replace("{offset-past-a-page}", Base64Url($"{host.IndexWriter.LaneId}.0.{StreamIndexPage.Capacity + 1}"), StringComparison.Ordinal);

        using var response = await sidecar.GetAsync($"{StreamPages.Route}?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    private static async Task<HttpResponseMessage> PlaceWithKeyAsync(CommandHost host, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders")
        {
            Content = JsonContent.Create(new { customerId = "c-1", items = new[] { new { productId = "p-1", quantity = 1, unitPrice = 5m } } }),
        };
        request.Headers.Add(IdempotencyKey.Header, key);
        return await host.Public.SendAsync(request);
    }

    // Every id in the index documents, lane after lane, page after page, read through the sidecar.
    private static async Task<List<string>> IndexedIdsAsync(CommandHost host)
    {
        var ids = new List<string>();
        var lanes = await host.Dapr.GetStateAsync<StreamIndexLanes?>(Messaging.EventStore, StreamIndexLanes.Key);
        foreach (var lane in lanes?.LaneIds ?? [])
        {
            for (var page = 0; ; page++)
            {
                var stored = await host.Dapr.GetStateAsync<StreamIndexPage?>(Messaging.EventStore, StreamIndexPage.KeyOf(lane, page));
                if (stored is null)
                {
                    break;
                }

                ids.AddRange(stored.OrderIds);
            }
        }

        return ids;
    }

    private static string Base64Url(string text) => System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
}
