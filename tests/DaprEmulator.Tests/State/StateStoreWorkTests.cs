using System.Text;
using DaprEmulator.State;

namespace DaprEmulator.Tests.State;

// What a write costs must not grow with what the store already holds: an append to one order
// stream touches that stream, not every stream (the store once copied its whole table per transaction).
public class StateStoreWorkTests
{
    [Theory]
    [InlineData(10)]
    [InlineData(20_000)]
    public async Task A_transaction_visits_only_the_rows_it_names_however_many_the_table_holds(int rows)
    {
        var store = new PostgreSqlStateStore("eventstore", v2: true, TimeProvider.System);
        for (var i = 0; i < rows; i++)
        {
            await store.TransactAsync([new SetOperation($"order-{i}", Encoding.UTF8.GetBytes("{\"v\":1}"))]);
        }

        var etag = store.Get("order-0")!.ETag;
        var before = store.RowsVisited;

        await store.TransactAsync(
        [
            new SetOperation("order-0", Encoding.UTF8.GetBytes("{\"v\":2}")) { ETag = etag },
            new SetOperation("outbox-marker", Encoding.UTF8.GetBytes("\"0\"")),
            new DeleteOperation("order-1"),
        ]);

        // The guarded upsert reads its row and writes it; the plain upsert and the delete write one each.
        Assert.Equal(4, store.RowsVisited - before);
        Assert.Equal("{\"v\":2}", Encoding.UTF8.GetString(store.Get("order-0")!.Value));
        Assert.Null(store.Get("order-1"));
        Assert.NotNull(store.Get("outbox-marker"));
    }

    [Fact]
    public async Task A_failed_transaction_leaves_the_table_as_it_was()
    {
        var store = new PostgreSqlStateStore("eventstore", v2: true, TimeProvider.System);
        await store.TransactAsync([new SetOperation("order-1", Encoding.UTF8.GetBytes("{\"v\":1}"))]);

        await Assert.ThrowsAsync<StateETagException>(async () => await store.TransactAsync(
        [
            new SetOperation("order-2", Encoding.UTF8.GetBytes("{\"v\":1}")),
            new SetOperation("order-1", Encoding.UTF8.GetBytes("{\"v\":2}")) { ETag = Guid.NewGuid().ToString() },
        ]));

        Assert.Null(store.Get("order-2"));
        Assert.Equal("{\"v\":1}", Encoding.UTF8.GetString(store.Get("order-1")!.Value));
    }
}
