using System.Text;

namespace DaprEmulator.Tests.PubSub;

// The stream commands components-contrib pubsub/redis sends, with the same answers from the three
// backends: in memory (the tests' default), the SQLite file (`run`'s default) and a real Redis.
public sealed class RedisStreamsConformanceTests
{
    private static readonly TimeSpan Long = TimeSpan.FromHours(1);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Memory")]
    [InlineData("Sqlite")]
    [InlineData("Redis", Traits = ["Backend", "Redis"])]
    public async Task A_group_reads_each_entry_once_in_id_order_with_its_data_and_metadata(string backend)
    {
        await using var b = await StreamsBackend.OpenAsync(backend);
        var stream = b.NewStream();
        b.Streams.CreateGroup(stream, "order-query");

        await b.Streams.AddAsync(stream, Bytes("one"), """{"k":"v"}""", 0);
        await b.Streams.AddAsync(stream, Bytes("two"), null, 0);

        var read = await b.Streams.ReadGroupAsync(stream, "order-query", "order-query", 10, Ct);
        Assert.Equal([("one", """{"k":"v"}"""), ("two", null)], read.Select(e => (Text(e.Data), e.Metadata)));
        Assert.True(read[1].Id > read[0].Id);
        Assert.Empty(await b.Streams.ReadGroupAsync(stream, "order-query", "order-query", 10, Ct));
    }

    [Theory]
    [InlineData("Memory")]
    [InlineData("Sqlite")]
    [InlineData("Redis", Traits = ["Backend", "Redis"])]
    public async Task A_group_created_after_entries_reads_them_from_the_start_and_reads_at_most_count(string backend)
    {
        await using var b = await StreamsBackend.OpenAsync(backend);
        var stream = b.NewStream();
        for (var i = 0; i < 5; i++)
        {
            await b.Streams.AddAsync(stream, Bytes($"e{i}"), null, 0);
        }

        b.Streams.CreateGroup(stream, "order-query");

        Assert.Equal(["e0", "e1", "e2"], (await b.Streams.ReadGroupAsync(stream, "order-query", "order-query", 3, Ct)).Select(e => Text(e.Data)));
        Assert.Equal(["e3", "e4"], (await b.Streams.ReadGroupAsync(stream, "order-query", "order-query", 3, Ct)).Select(e => Text(e.Data)));
    }

    [Theory]
    [InlineData("Memory")]
    [InlineData("Sqlite")]
    [InlineData("Redis", Traits = ["Backend", "Redis"])]
    public async Task Every_group_reads_every_entry_and_creating_a_group_again_keeps_its_position(string backend)
    {
        await using var b = await StreamsBackend.OpenAsync(backend);
        var stream = b.NewStream();
        b.Streams.CreateGroup(stream, "order-query");
        b.Streams.CreateGroup(stream, "audit");
        await b.Streams.AddAsync(stream, Bytes("a"), null, 0);
        await b.Streams.ReadGroupAsync(stream, "order-query", "order-query", 10, Ct);

        b.Streams.CreateGroup(stream, "order-query");
        await b.Streams.AddAsync(stream, Bytes("b"), null, 0);

        Assert.Equal(["b"], (await b.Streams.ReadGroupAsync(stream, "order-query", "order-query", 10, Ct)).Select(e => Text(e.Data)));
        Assert.Equal(["a", "b"], (await b.Streams.ReadGroupAsync(stream, "audit", "audit", 10, Ct)).Select(e => Text(e.Data)));
    }

    [Theory]
    [InlineData("Memory")]
    [InlineData("Sqlite")]
    [InlineData("Redis", Traits = ["Backend", "Redis"])]
    public async Task Read_entries_are_pending_for_the_consumer_until_acknowledged(string backend)
    {
        await using var b = await StreamsBackend.OpenAsync(backend);
        var stream = b.NewStream();
        b.Streams.CreateGroup(stream, "order-query");
        for (var i = 0; i < 3; i++)
        {
            await b.Streams.AddAsync(stream, Bytes($"e{i}"), null, 0);
        }

        var ids = (await b.Streams.ReadGroupAsync(stream, "order-query", "order-query", 10, Ct)).Select(e => e.Id).ToList();

        var pending = await b.Streams.PendingAsync(stream, "order-query", 10, Ct);
        Assert.Equal(ids, pending.Select(p => p.Id));
        Assert.All(pending, p => Assert.Equal(("order-query", 1L), (p.Consumer, p.DeliveryCount)));
        Assert.All(pending, p => Assert.InRange(p.Idle, TimeSpan.Zero, Long));
        Assert.Equal(ids[..2], (await b.Streams.PendingAsync(stream, "order-query", 2, Ct)).Select(p => p.Id));

        await b.Streams.AckAsync(stream, "order-query", ids[1], Ct);
        await b.Streams.AckAsync(stream, "order-query", ids[1], Ct);

        Assert.Equal([ids[0], ids[2]], (await b.Streams.PendingAsync(stream, "order-query", 10, Ct)).Select(p => p.Id));
    }

    [Theory]
    [InlineData("Memory")]
    [InlineData("Sqlite")]
    [InlineData("Redis", Traits = ["Backend", "Redis"])]
    public async Task Claim_takes_the_entries_idle_long_enough_for_the_consumer_and_counts_the_delivery(string backend)
    {
        await using var b = await StreamsBackend.OpenAsync(backend);
        var stream = b.NewStream();
        b.Streams.CreateGroup(stream, "order-query");
        await b.Streams.AddAsync(stream, Bytes("e"), """{"m":"1"}""", 0);
        var id = Assert.Single(await b.Streams.ReadGroupAsync(stream, "order-query", "order-query", 10, Ct)).Id;

        Assert.Empty(await b.Streams.ClaimAsync(stream, "order-query", "other", Long, [id], Ct));
        var claimed = await b.Streams.ClaimAsync(stream, "order-query", "other", TimeSpan.Zero, [id], Ct);

        Assert.Equal([(id, "e", """{"m":"1"}""")], claimed.Select(e => (e.Id, Text(e.Data), e.Metadata)));
        var pending = Assert.Single(await b.Streams.PendingAsync(stream, "order-query", 10, Ct));
        Assert.Equal((id, "other", 2L), (pending.Id, pending.Consumer, pending.DeliveryCount));
    }

    [Theory]
    [InlineData("Memory")]
    [InlineData("Sqlite")]
    [InlineData("Redis", Traits = ["Backend", "Redis"])]
    public async Task Max_len_approx_keeps_the_newest_entries_and_a_claim_drops_a_trimmed_pending_entry(string backend)
    {
        await using var b = await StreamsBackend.OpenAsync(backend);
        var stream = b.NewStream();
        b.Streams.CreateGroup(stream, "order-query");
        await b.Streams.AddAsync(stream, Bytes("e0"), null, 10);
        var oldest = Assert.Single(await b.Streams.ReadGroupAsync(stream, "order-query", "order-query", 1, Ct)).Id;

        // Past a Redis macro node (at most 100 entries): "~" trims whole nodes only.
        for (var i = 1; i <= 300; i++)
        {
            await b.Streams.AddAsync(stream, Bytes($"e{i}"), null, 10);
        }

        Assert.Empty(await b.Streams.ClaimAsync(stream, "order-query", "order-query", TimeSpan.Zero, [oldest], Ct));
        Assert.Empty(await b.Streams.PendingAsync(stream, "order-query", 10, Ct));
        b.Streams.CreateGroup(stream, "late");
        var kept = await b.Streams.ReadGroupAsync(stream, "late", "late", 1000, Ct);
        Assert.InRange(kept.Count, 10, 10 + 99);
        Assert.Equal(Enumerable.Range(301 - kept.Count, kept.Count).Select(i => $"e{i}"), kept.Select(e => Text(e.Data)));
    }

    [Theory]
    [InlineData("Memory")]
    [InlineData("Sqlite")]
    [InlineData("Redis", Traits = ["Backend", "Redis"])]
    public async Task Reading_for_a_group_that_does_not_exist_is_a_nogroup_error(string backend)
    {
        await using var b = await StreamsBackend.OpenAsync(backend);
        var stream = b.NewStream();
        await b.Streams.AddAsync(stream, Bytes("e"), null, 0);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => b.Streams.ReadGroupAsync(stream, "nobody", "nobody", 10, Ct));

        Assert.StartsWith("NOGROUP", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Memory")]
    [InlineData("Sqlite")]
    [InlineData("Redis", Traits = ["Backend", "Redis"])]
    public async Task Has_undelivered_tells_whether_the_group_has_entries_left_to_read(string backend)
    {
        await using var b = await StreamsBackend.OpenAsync(backend);
        var stream = b.NewStream();
        b.Streams.CreateGroup(stream, "order-query");
        Assert.False(b.Streams.HasUndelivered(stream, "order-query"));

        await b.Streams.AddAsync(stream, Bytes("e"), null, 0);
        Assert.True(b.Streams.HasUndelivered(stream, "order-query"));

        await b.Streams.ReadGroupAsync(stream, "order-query", "order-query", 10, Ct);
        Assert.False(b.Streams.HasUndelivered(stream, "order-query"));
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(byte[] data) => Encoding.UTF8.GetString(data);
}
