using OrderDapr.Contracts;
using OrderDapr.Query.Changes;
using OrderDapr.Query.ReadModel;

namespace OrderDapr.Query.Projections;

// What one batch did: an outcome per envelope (in the order given), and for each Poison outcome
// why the envelope can never be projected.
public sealed record ProjectedBatch(IReadOnlyList<ProjectionOutcome> Outcomes, IReadOnlyList<string?> PoisonReasons);

// Applies a batch of delivered envelopes (Dapr bulk subscribe) to the read model: one bulk read
// of the order documents, the pure projection per order, one bulk read of the customer heads and
// newest index pages the batch touches, and ONE transaction for all of it, guarded by the ETags
// read. A customer's head is therefore written once per batch, however many of its orders the
// batch holds, so a busy customer does not serialize the projection. Daprd hands a subscription
// one batch at a time; a conflict can only come from another replica (or a rebuild), and is
// retried here on a fresh read before the batch is given back to the broker. What a live batch
// committed is then published on the change feed.
public sealed class OrderProjector(
    IReadModelStore store, Generations generations, OrderChangePublisher changes, TimeProvider time, ILogger<OrderProjector> logger)
{
    private const int Attempts = 3;

    // Live events (deliveries and dead-letter replays): into the current generation and, while a
    // rebuild runs, into the one it builds, which must not miss an event the streams it already
    // read did not hold yet. Each envelope is read once, whatever the number of generations.
    public async Task<ProjectedBatch> ProjectAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken)
    {
        var outcomes = new ProjectionOutcome[envelopes.Count];
        var reasons = new string?[envelopes.Count];
        var events = new List<ParsedEvent>(envelopes.Count);
        var positions = new List<int>(envelopes.Count);
        for (var i = 0; i < envelopes.Count; i++)
        {
            try
            {
                events.Add(OrderViewProjection.Parse(envelopes[i]));
                positions.Add(i);
            }
            catch (PoisonEventException ex)
            {
                outcomes[i] = ProjectionOutcome.Poison;
                reasons[i] = ex.Message;
                logger.LogError(ex, "Event {EventId} cannot be projected: {Reason}", envelopes[i].EventId, ex.Message);
            }
        }

        if (events.Count > 0)
        {
            var written = (await generations.GetAsync(cancellationToken)).Written;
            var results = await Task.WhenAll(written.Select(g => ProjectIntoAsync(events, ReadModelKeys.Of(g), cancellationToken)));
            for (var j = 0; j < events.Count; j++)
            {
                // The current generation's outcome, unless a generation asks for the event again.
                outcomes[positions[j]] = results.Select(r => r.Outcomes[j]).FirstOrDefault(
                    o => o is ProjectionOutcome.NotCommitted or ProjectionOutcome.PendingFull, results[0].Outcomes[j]);
            }

            Publish(written, results);
        }

        return new ProjectedBatch(outcomes, reasons);
    }

    // Read events into one generation (the rebuild's): an outcome per event, in the order given.
    // Not published: no reader sees that generation yet.
    public async Task<IReadOnlyList<ProjectionOutcome>> ProjectAsync(
        IReadOnlyList<ParsedEvent> events, ReadModelKeys keys, CancellationToken cancellationToken) =>
        (await ProjectIntoAsync(events, keys, cancellationToken)).Outcomes;

    // The views of orders a committed batch changed visibly (an event applied), per generation.
    private void Publish(IReadOnlyList<int> written, GenerationResult[] results)
    {
        var sections = written.Zip(results)
            .Where(r => r.Second.Committed.Count > 0)
            .Select(r => new GenerationChanges(r.First, r.Second.Committed))
            .ToList();
        if (sections.Count > 0)
        {
            changes.Publish(new OrderChanges(time.GetUtcNow(), sections));
        }
    }

    private sealed record GenerationResult(ProjectionOutcome[] Outcomes, IReadOnlyList<OrderView> Committed);

    private async Task<GenerationResult> ProjectIntoAsync(IReadOnlyList<ParsedEvent> events, ReadModelKeys keys, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var outcomes = new ProjectionOutcome[events.Count];
            try
            {
                var committed = await ProjectOnceAsync(events, keys, outcomes, cancellationToken);
                return new GenerationResult(outcomes, committed);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (attempt == Attempts)
                {
                    logger.LogWarning(ex, "Projecting a batch of {Count} events into generation {Generation} failed {Attempts} times; its events are reported not committed",
                        events.Count, keys.Generation, Attempts);
                    Array.Fill(outcomes, ProjectionOutcome.NotCommitted);
                    return new GenerationResult(outcomes, []);
                }

                logger.LogDebug(ex, "Projecting a batch of {Count} events failed on attempt {Attempt}; retrying", events.Count, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 40) * attempt), cancellationToken);
            }
        }
    }

    // Returns the views of the orders to which an event was applied, as committed.
    private async Task<IReadOnlyList<OrderView>> ProjectOnceAsync(
        IReadOnlyList<ParsedEvent> events, ReadModelKeys keys, ProjectionOutcome[] outcomes, CancellationToken cancellationToken)
    {
        var byOrder = events.Select((e, index) => (Index: index, Event: e))
            .GroupBy(e => e.Event.Envelope.OrderId, StringComparer.Ordinal).ToList();
        var orderKeys = byOrder.Select(g => keys.Order(g.Key)).ToList();
        var stored = await store.GetManyAsync<OrderView>(orderKeys, cancellationToken);

        var writes = new List<DocumentWrite>();
        var indexChanges = new List<IndexChange>();
        var visible = new List<OrderView>();
        for (var i = 0; i < byOrder.Count; i++)
        {
            var before = stored[i].Value ?? new OrderView(byOrder[i].Key);
            var view = before;
            var changed = false;
            foreach (var (index, parsed) in byOrder[i].OrderBy(e => e.Event.Envelope.Version))
            {
                var result = OrderViewProjection.Apply(view, parsed);
                outcomes[index] = result.Outcome;
                view = result.View;
                changed |= result.Outcome is ProjectionOutcome.Applied or ProjectionOutcome.Buffered;
            }

            if (!changed)
            {
                continue;
            }

            writes.Add(new DocumentWrite(orderKeys[i], view, stored[i].ETag));
            if (CustomerOrderIndex.ChangeFor(before, view) is { } change)
            {
                indexChanges.Add(change);
            }

            if (view.IsCreated && view.Version > before.Version)
            {
                visible.Add(view with { Pending = [] });
            }
        }

        if (writes.Count == 0)
        {
            return [];
        }

        writes.AddRange(await IndexWritesAsync(indexChanges, keys, cancellationToken));
        await store.CommitAsync(writes, cancellationToken);
        return visible;
    }

    private async Task<IReadOnlyList<DocumentWrite>> IndexWritesAsync(List<IndexChange> changes, ReadModelKeys keys, CancellationToken cancellationToken)
    {
        if (changes.Count == 0)
        {
            return [];
        }

        var byCustomer = changes.GroupBy(c => c.CustomerId, StringComparer.Ordinal).ToList();
        var heads = await store.GetManyAsync<CustomerOrdersHead>([.. byCustomer.Select(g => keys.CustomerHead(g.Key))], cancellationToken);

        // The newest page of each customer that gets new entries: they go there, or into new pages.
        var newestPageKeys = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < byCustomer.Count; i++)
        {
            if (heads[i].Value is { PageCount: > 0 } head && byCustomer[i].Any(c => c is IndexChange.Added))
            {
                newestPageKeys[byCustomer[i].Key] = keys.CustomerPage(head.CustomerId, head.PageCount - 1);
            }
        }

        var pageKeys = newestPageKeys.Values.ToList();
        var pages = (await store.GetManyAsync<CustomerOrdersPage>(pageKeys, cancellationToken))
            .Select((page, i) => (Key: pageKeys[i], Page: page))
            .ToDictionary(p => p.Key, p => p.Page, StringComparer.Ordinal);

        var writes = new List<DocumentWrite>();
        for (var i = 0; i < byCustomer.Count; i++)
        {
            var customerId = byCustomer[i].Key;
            var newest = newestPageKeys.TryGetValue(customerId, out var pageKey) ? pages[pageKey] : Stored<CustomerOrdersPage>.Missing;
            var (head, written) = CustomerOrderIndex.Apply(heads[i].Value ?? new CustomerOrdersHead(customerId), newest.Value, byCustomer[i]);
            writes.Add(new DocumentWrite(keys.CustomerHead(customerId), head, heads[i].ETag));
            writes.AddRange(written.Select(page => new DocumentWrite(
                keys.CustomerPage(customerId, page.Page), page, page.Page == newest.Value?.Page ? newest.ETag : null)));
        }

        return writes;
    }
}
