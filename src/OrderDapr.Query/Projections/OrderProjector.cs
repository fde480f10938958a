using OrderDapr.Contracts;
using OrderDapr.Query.ReadModel;

namespace OrderDapr.Query.Projections;

// Applies one delivered envelope to the read model: read the documents it touches with their
// ETags, decide with the pure projection, write them back in one transaction. Concurrent
// deliveries for the same order or customer (Redis Streams runs 10 handlers) make all but one
// transaction fail on an ETag; the loser re-reads and tries again here, and after a few tries
// the broker redelivers. A projection rebuild replays the event streams through this same path.
public sealed class OrderProjector(IReadModelStore store, ILogger<OrderProjector> logger)
{
    private const int Attempts = 3;

    // The result carries the new view, for a later GraphQL subscription to broadcast after commit.
    public async Task<ProjectionResult> ProjectAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        OrderViewProjection.Parse(envelope); // poison is refused before any I/O

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ProjectOnceAsync(envelope, cancellationToken);
            }
            catch (Exception ex) when (attempt < Attempts && ex is not (PoisonEventException or OperationCanceledException))
            {
                logger.LogDebug(ex, "Projecting {EventType} v{Version} of order {OrderId} failed on attempt {Attempt}; retrying",
                    envelope.Type, envelope.Version, envelope.OrderId, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 40) * attempt), cancellationToken);
            }
        }
    }

    private async Task<ProjectionResult> ProjectOnceAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        var key = ReadModelKeys.Order(envelope.OrderId);
        var stored = await store.GetAsync<OrderView>(key, cancellationToken);
        var before = stored.Value ?? new OrderView(envelope.OrderId);

        var result = OrderViewProjection.Apply(before, envelope);
        if (result.Outcome is ProjectionOutcome.Duplicate or ProjectionOutcome.PendingFull)
        {
            return result;
        }

        var writes = new List<DocumentWrite> { new(key, result.View, stored.ETag) };
        if (CustomerOrderIndex.ChangeFor(before, result.View) is { } change)
        {
            writes.AddRange(await IndexWritesAsync(change, cancellationToken));
        }

        await store.CommitAsync(writes, cancellationToken);
        return result;
    }

    private async Task<IReadOnlyList<DocumentWrite>> IndexWritesAsync(IndexChange change, CancellationToken cancellationToken)
    {
        var headKey = ReadModelKeys.CustomerHead(change.CustomerId);
        var head = await store.GetAsync<CustomerOrdersHead>(headKey, cancellationToken);
        var headDocument = head.Value ?? new CustomerOrdersHead(change.CustomerId);

        switch (change)
        {
            case IndexChange.Added added:
                // Entries go into the newest page, or a new one when it is full.
                var newest = headDocument.PageCount > 0
                    ? await store.GetAsync<CustomerOrdersPage>(ReadModelKeys.CustomerPage(change.CustomerId, headDocument.PageCount - 1), cancellationToken)
                    : Stored<CustomerOrdersPage>.Missing;
                var (newHead, page) = CustomerOrderIndex.Append(headDocument, newest.Value, added);
                var pageETag = page.Page == newest.Value?.Page ? newest.ETag : null;
                return [new DocumentWrite(headKey, newHead, head.ETag), new DocumentWrite(ReadModelKeys.CustomerPage(change.CustomerId, page.Page), page, pageETag)];

            case IndexChange.StatusMoved moved:
                return [new DocumentWrite(headKey, CustomerOrderIndex.Move(headDocument, moved), head.ETag)];

            default:
                throw new InvalidOperationException($"Unhandled index change {change.GetType().Name}.");
        }
    }
}
