using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using OrderDapr.Query.DeadLetters;
using OrderDapr.Query.Projections;
using OrderDapr.Query.ReadModel;
using OrderDapr.Query.Tests.Fixtures;
using static OrderDapr.Query.Tests.Fixtures.Deliveries;
using static OrderDapr.Query.Tests.Fixtures.Given;

namespace OrderDapr.Query.Tests;

// Parked events: listed and counted through their index, replayed through the projection.
public class DeadLetterTests
{
    private readonly InMemoryReadModelStore store = new();
    private readonly DeadLetterStore deadLetters;
    private readonly DeadLetterReplay replay;

    public DeadLetterTests()
    {
        deadLetters = new DeadLetterStore(store, NullLogger<DeadLetterStore>.Instance);
        replay = new DeadLetterReplay(deadLetters, Projector(store));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DeadLetter Letter(JsonElement cloudEvent, string reason = "a reason", int minute = 0) =>
        DeadLetter.Of(OrderCloudEvent.Read(cloudEvent), reason, T0.AddMinutes(minute));

    private static DeadLetter Unreadable(string id) => Letter(CloudEvent(id, "\"not an envelope\""), "unreadable");

    private async Task Park(int count, Func<int, DeadLetter> letter)
    {
        foreach (var chunk in Enumerable.Range(0, count).Chunk(DeadLetterIndex.PageSize))
        {
            await deadLetters.ParkAsync([.. chunk.Select(letter)], Ct);
        }
    }

    private async Task<IReadOnlyList<string>> ListAll(int limit)
    {
        var ids = new List<string>();
        DeadLetterCursor? cursor = null;
        do
        {
            var listing = await deadLetters.ListAsync(cursor, limit, Ct);
            Assert.InRange(listing.Entries.Count, 0, limit);
            ids.AddRange(listing.Entries.Select(e => e.Id));
            cursor = listing.Next;
        }
        while (cursor is not null);

        return ids;
    }

    [Fact]
    public async Task Dead_letters_are_listed_in_the_order_they_were_parked_page_by_page()
    {
        await Park(7, i => Unreadable($"ce-{i}"));

        var first = await deadLetters.ListAsync(null, 3, Ct);

        Assert.Equal(7, first.Count);
        Assert.Equal(["ce-0", "ce-1", "ce-2"], first.Entries.Select(e => e.Id));
        Assert.NotNull(first.Next);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"ce-{i}"), await ListAll(limit: 3));
    }

    [Fact]
    public async Task Listing_crosses_index_pages_and_a_cursor_stays_valid_while_dead_letters_leave()
    {
        await Park(DeadLetterIndex.PageSize + 20, i => Unreadable($"ce-{i}"));
        var first = await deadLetters.ListAsync(null, DeadLetterIndex.PageSize - 2, Ct);

        await deadLetters.ResolveAsync([.. Enumerable.Range(DeadLetterIndex.PageSize - 2, 5).Select(i => $"ce-{i}")], new Dictionary<string, string>(), Ct);
        var rest = await deadLetters.ListAsync(first.Next, 100, Ct);

        Assert.Equal(DeadLetterIndex.PageSize + 15, rest.Count);
        Assert.Equal(Enumerable.Range(DeadLetterIndex.PageSize + 3, 17).Select(i => $"ce-{i}"), rest.Entries.Select(e => e.Id));
        Assert.Null(rest.Next);
    }

    [Fact]
    public async Task A_page_emptied_by_leaving_dead_letters_is_deleted_and_no_longer_read()
    {
        await Park(DeadLetterIndex.PageSize + 1, i => Unreadable($"ce-{i}"));

        await deadLetters.ResolveAsync([.. Enumerable.Range(0, DeadLetterIndex.PageSize).Select(i => $"ce-{i}")], new Dictionary<string, string>(), Ct);

        Assert.Null(store.RawJson(DeadLetterKeys.Page(0)));
        Assert.Equal([1], store.Peek<DeadLetterIndexHead>(DeadLetterKeys.Head)?.Pages);
        var read = store.DocumentsRead;
        var listing = await deadLetters.ListAsync(null, 10, Ct);
        Assert.Equal([$"ce-{DeadLetterIndex.PageSize}"], listing.Entries.Select(e => e.Id));
        Assert.Equal(3, store.DocumentsRead - read); // the head, page 1, the one dead letter
    }

    [Theory]
    [InlineData(10)]
    [InlineData(1_000)]
    public async Task Parking_counting_and_listing_touch_the_same_documents_however_many_dead_letters_are_parked(int parked)
    {
        await Park(parked, i => Unreadable($"ce-{i}"));

        var (read, written) = (store.DocumentsRead, store.DocumentsWritten);
        await deadLetters.ParkAsync([Unreadable("ce-new")], Ct);
        Assert.Equal(3, store.DocumentsRead - read); // is it parked already, the head, the newest page
        Assert.Equal(3, store.DocumentsWritten - written); // the dead letter, the newest page, the head

        read = store.DocumentsRead;
        Assert.Equal(parked + 1, await deadLetters.CountAsync(Ct));
        Assert.Equal(1, store.DocumentsRead - read);

        read = store.DocumentsRead;
        Assert.Equal(10, (await deadLetters.ListAsync(null, 10, Ct)).Entries.Count);
        Assert.Equal(1 + 1 + 10, store.DocumentsRead - read); // the head, the oldest page, ten dead letters
    }

    [Fact]
    public async Task An_event_that_failed_delivery_is_projected_on_replay_and_leaves_the_dead_letters()
    {
        var paid = Event("order-1", 1, Created());
        await deadLetters.ParkAsync([Letter(CloudEvent(paid), DeadLetter.DeliveryFailed)], Ct);

        var results = await replay.ReplayAsync([paid.EventId], Ct);

        Assert.Equal([new ReplayResult(paid.EventId, ReplayOutcome.Projected, null)], results);
        Assert.Equal(OrderStatus.Created, store.Peek<OrderView>(ReadModelKeys.Initial.Order("order-1"))?.Status);
        Assert.Null(store.RawJson(DeadLetterKeys.Entry(paid.EventId)));
        Assert.Equal(0, await deadLetters.CountAsync(Ct));
        Assert.Empty(await ListAll(limit: 10));
    }

    [Fact]
    public async Task An_event_of_a_type_a_fixed_release_reads_is_projected_on_replay()
    {
        // Parked by an older release that routed OrderCreated.v2 to its unknown-type route.
        var created = Event("order-1", 1, Created());
        await deadLetters.ParkAsync([Letter(CloudEvent(created), "No projection reads events of type 'OrderCreated.v2'.")], Ct);

        var results = await replay.ReplayAsync([created.EventId], Ct);

        Assert.Equal(ReplayOutcome.Projected, Assert.Single(results).Outcome);
        Assert.NotNull(store.Peek<OrderView>(ReadModelKeys.Initial.Order("order-1")));
    }

    [Fact]
    public async Task An_event_projected_already_leaves_the_dead_letters_as_projected()
    {
        var created = Event("order-1", 1, Created());
        await Projector(store).ProjectAsync([created], Ct);
        await deadLetters.ParkAsync([Letter(CloudEvent(created), DeadLetter.DeliveryFailed)], Ct);

        Assert.Equal(ReplayOutcome.Projected, Assert.Single(await replay.ReplayAsync([created.EventId], Ct)).Outcome);
        Assert.Equal(0, await deadLetters.CountAsync(Ct));
    }

    [Fact]
    public async Task A_still_poison_event_stays_with_the_reason_found_now()
    {
        var poison = Event("order-1", 1, Created()) with { Data = JsonSerializer.SerializeToElement(new { customerId = "customer-1" }) };
        await deadLetters.ParkAsync([Letter(CloudEvent(poison), DeadLetter.DeliveryFailed)], Ct);

        var result = Assert.Single(await replay.ReplayAsync([poison.EventId], Ct));

        const string Reason = "Event OrderCreated.v2 v1 of order order-1 misses required data.";
        Assert.Equal(new ReplayResult(poison.EventId, ReplayOutcome.StillPoison, Reason), result);
        Assert.Equal(Reason, store.Peek<DeadLetter>(DeadLetterKeys.Entry(poison.EventId))?.Reason);
        Assert.Equal(1, await deadLetters.CountAsync(Ct));
    }

    [Fact]
    public async Task A_replay_the_read_model_cannot_take_now_leaves_the_dead_letter_as_it_was()
    {
        var created = Event("order-1", 1, Created());
        await deadLetters.ParkAsync([Letter(CloudEvent(created), DeadLetter.DeliveryFailed)], Ct);
        store.CommitFailure = new Dapr.DaprException("sidecar unreachable");

        var result = Assert.Single(await replay.ReplayAsync([created.EventId], Ct));

        Assert.Equal(new ReplayResult(created.EventId, ReplayOutcome.NotProjected, DeadLetter.DeliveryFailed), result);
        store.CommitFailure = null;
        Assert.Equal(DeadLetter.DeliveryFailed, store.Peek<DeadLetter>(DeadLetterKeys.Entry(created.EventId))?.Reason);
        Assert.Equal(1, await deadLetters.CountAsync(Ct));
    }

    [Fact]
    public async Task Replaying_an_id_that_is_not_parked_says_so()
    {
        Assert.Equal([new ReplayResult("nope", ReplayOutcome.NotFound, null)], await replay.ReplayAsync(["nope"], Ct));
    }

    [Fact]
    public async Task Replaying_all_replays_every_dead_letter_and_keeps_the_poison_ones()
    {
        // Over two index pages: every third one is poison.
        var letters = Enumerable.Range(0, DeadLetterIndex.PageSize + 50)
            .Select(i => i % 3 == 0 ? Unreadable($"ce-{i}") : Letter(CloudEvent(Event($"order-{i}", 1, Created())), DeadLetter.DeliveryFailed))
            .ToList();
        await Park(letters.Count, i => letters[i]);

        var results = await replay.ReplayAllAsync(Ct);

        Assert.Equal(letters.Select(l => l.Id), results.Select(r => r.Id));
        Assert.All(results, r => Assert.Equal(r.Id.StartsWith("ce-", StringComparison.Ordinal) ? ReplayOutcome.StillPoison : ReplayOutcome.Projected, r.Outcome));
        Assert.Equal(letters.Count(l => l.Id.StartsWith("ce-", StringComparison.Ordinal)), await deadLetters.CountAsync(Ct));
        Assert.Equal(letters.Where(l => l.Id.StartsWith("ce-", StringComparison.Ordinal)).Select(l => l.Id), await ListAll(limit: 100));
    }

    [Fact]
    public void A_cloud_event_id_that_Dapr_would_refuse_in_a_key_is_escaped()
    {
        Assert.DoesNotContain("||", DeadLetterKeys.Entry("a||b"), StringComparison.Ordinal);
        Assert.NotEqual(DeadLetterKeys.Entry("a||b"), DeadLetterKeys.Entry("a|b"));
    }
}
