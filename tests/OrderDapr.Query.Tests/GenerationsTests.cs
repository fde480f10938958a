using Microsoft.Extensions.Time.Testing;
using OrderDapr.Query.ReadModel;
using OrderDapr.Query.Tests.Fixtures;

namespace OrderDapr.Query.Tests;

// How replicas learn which generation serves: cached, read again once a second old, at once
// after their own write.
public class GenerationsTests
{
    private readonly InMemoryReadModelStore store = new();
    private readonly FakeTimeProvider time = new(Given.T0);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_a_document_generation_0_serves_and_nothing_is_built()
    {
        var state = await new Generations(store, time).GetAsync(Ct);

        Assert.Equal(GenerationState.Initial, state);
        Assert.Equal([0], state.Written);
        Assert.Equal("order-order-1", ReadModelKeys.Of(state.Current).Order("order-1"));
    }

    [Fact]
    public async Task Within_a_second_the_state_is_read_from_the_store_once_however_many_ask()
    {
        var generations = new Generations(store, time);

        await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ => await generations.GetAsync(Ct)));
        time.Advance(Generations.MaxAge - TimeSpan.FromTicks(1));
        await generations.GetAsync(Ct);

        Assert.Equal(1, store.DocumentsRead);
    }

    [Fact]
    public async Task Another_replica_follows_a_switch_once_its_copy_is_a_second_old()
    {
        var mine = new Generations(store, time);
        var other = new Generations(store, time);
        await other.GetAsync(Ct);

        await store.CommitAsync([new DocumentWrite(Generations.Key, new GenerationState(3, null), null)], Ct);
        mine.Forget();

        Assert.Equal(3, (await mine.GetAsync(Ct)).Current);
        Assert.Equal(0, (await other.GetAsync(Ct)).Current);
        time.Advance(Generations.MaxAge);
        Assert.Equal(3, (await other.GetAsync(Ct)).Current);
    }

    [Fact]
    public async Task While_a_generation_is_built_live_events_are_written_to_it_and_to_the_current_one()
    {
        await store.CommitAsync([new DocumentWrite(Generations.Key, new GenerationState(2, 5), null)], Ct);

        var state = await new Generations(store, time).GetAsync(Ct);

        Assert.Equal([2, 5], state.Written);
    }

    [Fact]
    public void Generation_0_keeps_the_unprefixed_keys_and_later_ones_prefix_every_key()
    {
        Assert.Equal("order-o", ReadModelKeys.Initial.Order("o"));
        Assert.Equal("customer-head-c", ReadModelKeys.Initial.CustomerHead("c"));
        Assert.Equal("customer-page-3-c", ReadModelKeys.Initial.CustomerPage("c", 3));
        Assert.Equal("g12-order-o", ReadModelKeys.Of(12).Order("o"));
        Assert.Equal("g12-customer-head-c", ReadModelKeys.Of(12).CustomerHead("c"));
        Assert.Equal("g12-customer-page-3-c", ReadModelKeys.Of(12).CustomerPage("c", 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReadModelKeys.Of(-1));
    }
}
