using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OrderDapr.Contracts;
using OrderDapr.Query.Projections;
using OrderDapr.Query.ReadModel;
using OrderDapr.Query.Rebuild;
using OrderDapr.Query.Tests.Fixtures;
using static OrderDapr.Query.Tests.Fixtures.Given;

namespace OrderDapr.Query.Tests;

// Rebuilding the read model from the streams into a new generation while the current one serves.
public sealed class ProjectionRebuildTests : IAsyncDisposable
{
    // More streams than one page of the stream source holds: the rebuild reads two pages.
    private const int OrderCount = ProjectionRebuild.StreamsPerPage + 50;

    private readonly FakeTimeProvider time = new(T0);
    private readonly GraphQLFixture graphQL;
    private readonly Generations generations;
    private readonly OrderProjector projector;
    private readonly FakeStreamSource source;
    private readonly ProjectionRebuild rebuild;
    private readonly List<OrderStreamEvents> streams = [.. Enumerable.Range(1, OrderCount).Select(Stream)];

    public ProjectionRebuildTests()
    {
        graphQL = new GraphQLFixture(time);
        generations = graphQL.Services.GetRequiredService<Generations>();
        projector = Projector(Store, generations);
        source = new FakeStreamSource(streams);
        rebuild = new ProjectionRebuild(Store, generations, projector, source, time, NullLogger<ProjectionRebuild>.Instance);
    }

    private InMemoryReadModelStore Store => graphQL.Store;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        await rebuild.DisposeAsync();
        graphQL.Dispose();
    }

    // Order i of customer i % 3, placed i minutes after T0; even ones paid, every fourth shipped,
    // every eighth delivered, odd multiples of 5 cancelled.
    private static OrderStreamEvents Stream(int i)
    {
        var id = $"order-{i}";
        var placed = T0.AddMinutes(i);
        var events = new List<EventEnvelope> { Event(id, 1, Created($"customer-{i % 3}"), placed) };
        if (i % 2 == 0)
        {
            events.Add(Event(id, 2, new OrderPaid(25.25m, $"payment-{i}"), placed.AddSeconds(2)));
            if (i % 4 == 0)
            {
                events.Add(Event(id, 3, new OrderShipped($"tracking-{i}"), placed.AddSeconds(3)));
            }

            if (i % 8 == 0)
            {
                events.Add(Event(id, 4, new OrderDelivered(), placed.AddSeconds(4)));
            }
        }
        else if (i % 5 == 0)
        {
            events.Add(Event(id, 2, new OrderCancelled("changed my mind"), placed.AddSeconds(2)));
        }

        return new OrderStreamEvents(id, events);
    }

    // The read model as projecting every stream, as order-command holds it now, gives it.
    private async Task<IReadOnlyDictionary<string, string>> FoldOfEveryStreamAsync()
    {
        var page = await source.ReadPageAsync(null, int.MaxValue, Ct);
        var folded = new InMemoryReadModelStore();
        var fold = Projector(folded);
        foreach (var stream in page.Streams)
        {
            await fold.ProjectAsync(stream.Events, Ct);
        }

        return ReadModelSnapshot.Of(folded, 0);
    }

    private async Task ProjectLive(IEnumerable<OrderStreamEvents> live)
    {
        foreach (var stream in live)
        {
            await projector.ProjectAsync(stream.Events, Ct);
        }
    }

    // Starts a rebuild and lets it past its wait for the other replicas.
    private async Task<RebuildStart> StartAsync()
    {
        var start = await rebuild.StartAsync(Ct);
        time.Advance(ProjectionRebuild.Settle);
        return start;
    }

    private async Task<RebuildProgress> RebuildAsync()
    {
        Assert.True((await StartAsync()).Started);
        await rebuild.Running;
        return (await rebuild.ReadAsync(Ct)).Progress;
    }

    private async Task<string?> GraphQLStatusOf(string orderId)
    {
        var response = await graphQL.Execute("query($id: ID!) { order(id: $id) { status } }", $$"""{"id":"{{orderId}}"}""");
        var order = response.GetProperty("data").GetProperty("order");
        return order.ValueKind == JsonValueKind.Null ? null : order.GetProperty("status").GetString();
    }

    [Fact]
    public async Task A_rebuild_repairs_documents_deleted_or_corrupted_in_the_current_generation()
    {
        await ProjectLive(streams);
        Store.Remove(ReadModelKeys.Initial.Order("order-8"));
        Store.Overwrite(ReadModelKeys.Initial.Order("order-4"), """{"id":"order-4","customerId":"customer-1","status":"CANCELLED","version":9}""");
        Store.Overwrite(ReadModelKeys.Initial.CustomerHead("customer-1"), """{"customerId":"customer-1","pageCount":1,"totalCount":3}""");
        Assert.Null(await GraphQLStatusOf("order-8"));

        var progress = await RebuildAsync();

        Assert.Equal(2, source.PagesServed);
        Assert.Equal(RebuildState.Completed, progress.State);
        Assert.Equal((1, OrderCount, streams.Sum(s => s.Events.Count), 0), (progress.TargetGeneration, progress.StreamsProjected, progress.EventsProjected, progress.EventsSkipped));
        Assert.Equal(new GenerationState(1, null), Store.Peek<GenerationState>(Generations.Key));
        Assert.Equal(await FoldOfEveryStreamAsync(), ReadModelSnapshot.Of(Store, 1));
        Assert.Equal("DELIVERED", await GraphQLStatusOf("order-8"));
        Assert.Equal("SHIPPED", await GraphQLStatusOf("order-4"));
        var customer1 = await graphQL.Execute("""{ orders(customerId: "customer-1", first: 1) { totalCount } }""");
        Assert.Equal(Enumerable.Range(1, OrderCount).Count(i => i % 3 == 1), customer1.GetProperty("data").GetProperty("orders").GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task Live_events_during_a_rebuild_land_in_both_generations()
    {
        await ProjectLive(streams);
        var otherReplica = Projector(Store, new Generations(Store, time));
        await otherReplica.ProjectAsync([Event("order-1", 1, Created("customer-1"), T0.AddMinutes(1))], Ct); // its copy: generation 0 alone
        source.Hold(1);

        Assert.True((await StartAsync()).Started);
        await source.Reached(1);

        // order-1 was on the page the rebuild has read; order-249 is on the page it has not.
        var paid = Event("order-1", 2, new OrderPaid(25.25m, "late-payment"), T0.AddHours(1));
        var cancelled = Event("order-249", 2, new OrderCancelled("late"), T0.AddHours(1));
        source.Append(paid);
        source.Append(cancelled);
        Assert.Equal([ProjectionOutcome.Applied], (await projector.ProjectAsync([paid], Ct)).Outcomes);
        Assert.Equal([ProjectionOutcome.Applied], (await otherReplica.ProjectAsync([cancelled], Ct)).Outcomes);

        Assert.Equal(2, Store.Peek<OrderView>(ReadModelKeys.Of(1).Order("order-1"))?.Version);
        Assert.Equal("late-payment", Store.Peek<OrderView>(ReadModelKeys.Of(1).Order("order-1"))?.PaymentId);
        Assert.Equal([cancelled.EventId], Store.Peek<OrderView>(ReadModelKeys.Of(1).Order("order-249"))?.Pending.Select(p => p.EventId));
        Assert.Equal(OrderStatus.Paid, Store.Peek<OrderView>(ReadModelKeys.Initial.Order("order-1"))?.Status);
        Assert.Equal(OrderStatus.Cancelled, Store.Peek<OrderView>(ReadModelKeys.Initial.Order("order-249"))?.Status);
        Assert.Equal("CANCELLED", await GraphQLStatusOf("order-249")); // generation 0 serves: generation 1 has not seen it created yet

        source.Release(1);
        await rebuild.Running;

        Assert.Equal(RebuildState.Completed, (await rebuild.ReadAsync(Ct)).Progress.State);
        Assert.Equal(await FoldOfEveryStreamAsync(), ReadModelSnapshot.Of(Store, 1));
        Assert.Equal("CANCELLED", await GraphQLStatusOf("order-249"));
    }

    [Fact]
    public async Task The_switch_is_one_write_of_the_generation_document_with_its_ETag()
    {
        await RebuildAsync();

        var writesOfTheDocument = Store.CommitLog.Where(c => c.Any(w => w.Key == Generations.Key)).ToList();
        Assert.Equal(2, writesOfTheDocument.Count); // the start marks the generation being built; the switch
        Assert.Equal(new GenerationState(0, 1), writesOfTheDocument[0].Single(w => w.Key == Generations.Key).Value);
        var theSwitch = Assert.Single(writesOfTheDocument[1]);
        Assert.Equal(new GenerationState(1, null), theSwitch.Value);
        Assert.NotNull(theSwitch.ETag);
        Assert.Equal("""{"current":1,"building":null}""", Store.RawJson(Generations.Key));
        var log = Store.CommitLog.ToList();
        Assert.True(log.IndexOf(writesOfTheDocument[1]) > log.FindLastIndex(c => c.Any(w => w.Key.StartsWith("g1-order-", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task GraphQL_answers_from_the_current_generation_until_the_switch_and_from_the_new_one_after()
    {
        await ProjectLive(streams);
        Store.Remove(ReadModelKeys.Initial.Order("order-2"));
        source.Hold(1);

        await StartAsync();
        await source.Reached(1);
        Assert.NotNull(Store.Peek<OrderView>(ReadModelKeys.Of(1).Order("order-2")));
        Assert.Null(await GraphQLStatusOf("order-2"));

        source.Release(1);
        await rebuild.Running;

        Assert.Equal("PAID", await GraphQLStatusOf("order-2"));
        Store.Remove(ReadModelKeys.Initial.Order("order-3"));
        Assert.Equal("CREATED", await GraphQLStatusOf("order-3"));
    }

    [Fact]
    public async Task A_failed_rebuild_leaves_the_current_generation_serving_and_says_why()
    {
        await ProjectLive(streams);
        source.Fail(1, new HttpRequestException("order-command answered GET /streams with 503"));

        await StartAsync();
        await rebuild.Running;

        var progress = (await rebuild.ReadAsync(Ct)).Progress;
        Assert.Equal(RebuildState.Failed, progress.State);
        Assert.Equal("order-command answered GET /streams with 503", progress.Error);
        Assert.Equal(T0 + ProjectionRebuild.Settle, progress.FinishedAt);
        Assert.Equal(GenerationState.Initial, Store.Peek<GenerationState>(Generations.Key));
        Assert.Equal("PAID", await GraphQLStatusOf("order-2"));

        // Live events no longer go into the abandoned generation.
        await projector.ProjectAsync([Event("order-new", 1, Created(), T0.AddDays(1))], Ct);
        Assert.NotNull(Store.Peek<OrderView>(ReadModelKeys.Initial.Order("order-new")));
        Assert.Null(Store.Peek<OrderView>(ReadModelKeys.Of(1).Order("order-new")));
    }

    [Fact]
    public async Task A_second_rebuild_is_refused_while_one_runs_and_the_next_one_builds_a_new_generation()
    {
        source.Hold(0);
        await StartAsync();

        var second = await rebuild.StartAsync(Ct);

        Assert.False(second.Started);
        Assert.Equal((RebuildState.Running, 1), (second.Status.Progress.State, second.Status.Progress.TargetGeneration));
        source.Release(0);
        await rebuild.Running;
        Assert.Equal(2, (await RebuildAsync()).TargetGeneration);
        Assert.Equal(new GenerationState(2, null), Store.Peek<GenerationState>(Generations.Key));
    }

    [Fact]
    public async Task A_rebuild_whose_replica_died_may_be_started_again_once_it_fell_silent()
    {
        var dead = new RebuildProgress(RebuildState.Running) { TargetGeneration = 4, StartedAt = T0, UpdatedAt = T0 };
        await Store.CommitAsync(
        [
            new DocumentWrite(ProjectionRebuild.ProgressKey, dead, null),
            new DocumentWrite(Generations.Key, new GenerationState(3, 4), null),
        ], Ct);

        Assert.False((await rebuild.StartAsync(Ct)).Started);
        time.Advance(ProjectionRebuild.AbandonedAfter + TimeSpan.FromSeconds(1));
        var progress = await RebuildAsync();

        Assert.Equal((RebuildState.Completed, 5), (progress.State, progress.TargetGeneration));
        Assert.Equal(new GenerationState(5, null), Store.Peek<GenerationState>(Generations.Key));
    }
}
