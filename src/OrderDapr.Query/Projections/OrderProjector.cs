using OrderDapr.Contracts;
using OrderDapr.Query.ReadModel;

namespace OrderDapr.Query.Projections;

// What one batch did: an outcome per envelope (in the order given), and the order views it
// committed (for whoever wants to know what changed, after the commit).
public sealed record ProjectedBatch(IReadOnlyList<ProjectionOutcome> Outcomes, IReadOnlyList<OrderView> Committed);

// Applies a batch of delivered envelopes (Dapr bulk subscribe) to the read model: one bulk read
// of the order documents, the pure projection per order, one bulk read of the customer heads and
// newest index pages the batch touches, and ONE transaction for all of it, guarded by the ETags
// read. A customer's head is therefore written once per batch, however many of its orders the
// batch holds, so a busy customer does not serialize the projection. Daprd hands a subscription
// one batch at a time; a conflict can only come from another replica, and is retried here on a
// fresh read before the batch is given back to the broker.
public sealed class OrderProjector(IReadModelStore store, ILogger<OrderProjector> logger)
{
    private const int Attempts = 3;

    public async Task<ProjectedBatch> ProjectAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken)
    {
        var outcomes = new ProjectionOutcome[envelopes.Count];
        var events = new List<(int Index, ParsedEvent Event)>(envelopes.Count);
        for (var i = 0; i < envelopes.Count; i++)
        {
            try
            {
                events.Add((i, OrderViewProjection.Parse(envelopes[i])));
            }
            catch (PoisonEventException ex)
            {
                outcomes[i] = ProjectionOutcome.Poison;
                logger.LogError(ex, "Event {EventId} cannot be projected: {Reason}", envelopes[i].EventId, ex.Message);
            }
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return new ProjectedBatch(outcomes, await ProjectOnceAsync(events, outcomes, cancellationToken));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (attempt == Attempts)
                {
                    logger.LogWarning(ex, "Projecting a batch of {Count} events failed {Attempts} times; the broker will redeliver it", events.Count, Attempts);
                    foreach (var (index, _) in events)
                    {
                        outcomes[index] = ProjectionOutcome.NotCommitted;
                    }

                    return new ProjectedBatch(outcomes, []);
                }

                logger.LogDebug(ex, "Projecting a batch of {Count} events failed on attempt {Attempt}; retrying", events.Count, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 40) * attempt), cancellationToken);
            }
        }
    }

    private async Task<IReadOnlyList<OrderView>> ProjectOnceAsync(
        List<(int Index, ParsedEvent Event)> events, ProjectionOutcome[] outcomes, CancellationToken cancellationToken)
    {
        var byOrder = events.GroupBy(e => e.Event.Envelope.OrderId, StringComparer.Ordinal).ToList();
        var keys = byOrder.Select(g => ReadModelKeys.Order(g.Key)).ToList();
        var stored = await store.GetManyAsync<OrderView>(keys, cancellationToken);

        var writes = new List<DocumentWrite>();
        var changes = new List<IndexChange>();
        var committed = new List<OrderView>();
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

            writes.Add(new DocumentWrite(keys[i], view, stored[i].ETag));
            committed.Add(view);
            if (CustomerOrderIndex.ChangeFor(before, view) is { } change)
            {
                changes.Add(change);
            }
        }

        if (writes.Count == 0)
        {
            return [];
        }

        writes.AddRange(await IndexWritesAsync(changes, cancellationToken));
        await store.CommitAsync(writes, cancellationToken);
        return committed;
    }

    private async Task<IReadOnlyList<DocumentWrite>> IndexWritesAsync(List<IndexChange> changes, CancellationToken cancellationToken)
    {
        if (changes.Count == 0)
        {
            return [];
        }

        var byCustomer = changes.GroupBy(c => c.CustomerId, StringComparer.Ordinal).ToList();
        var heads = await store.GetManyAsync<CustomerOrdersHead>([.. byCustomer.Select(g => ReadModelKeys.CustomerHead(g.Key))], cancellationToken);

        // The newest page of each customer that gets new entries: they go there, or into new pages.
        var newestPageKeys = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < byCustomer.Count; i++)
        {
            if (heads[i].Value is { PageCount: > 0 } head && byCustomer[i].Any(c => c is IndexChange.Added))
            {
                newestPageKeys[byCustomer[i].Key] = ReadModelKeys.CustomerPage(head.CustomerId, head.PageCount - 1);
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
            writes.Add(new DocumentWrite(ReadModelKeys.CustomerHead(customerId), head, heads[i].ETag));
            writes.AddRange(written.Select(page => new DocumentWrite(
                ReadModelKeys.CustomerPage(customerId, page.Page), page, page.Page == newest.Value?.Page ? newest.ETag : null)));
        }

        return writes;
    }
}
