namespace OrderDapr.Query.ReadModel;

// One order asked for, and the version it must have reached to be taken from the cache.
public readonly record struct OrderRead(string OrderId, int MinVersion = 0);

// What readers may see of the read model: the documents of the current generation.
public sealed class OrderQueries(
    IReadModelStore store, Generations generations, OrderViewCache cache, int maxPagesPerRequest = OrderQueries.DefaultMaxPagesPerRequest)
{
    // 10 pages = at most 500 index entries and their documents per request.
    public const int DefaultMaxPagesPerRequest = 10;

    public async Task<OrderView?> GetOrderAsync(string orderId, CancellationToken cancellationToken) =>
        (await GetOrdersAsync([new OrderRead(orderId)], cancellationToken))[0];

    // The orders in the order asked (null where none was created): cached views when recent
    // enough, the others in one read of the store.
    public async Task<IReadOnlyList<OrderView?>> GetOrdersAsync(IReadOnlyList<OrderRead> reads, CancellationToken cancellationToken)
    {
        var views = new OrderView?[reads.Count];
        var generation = (await generations.GetAsync(cancellationToken)).Current;
        var missing = new List<string>();
        for (var i = 0; i < reads.Count; i++)
        {
            if (!ReadModelKeys.IsValidId(reads[i].OrderId))
            {
                continue;
            }

            if (cache.TryGet(generation, reads[i].OrderId, reads[i].MinVersion, out var cached))
            {
                views[i] = cached;
            }
            else if (!missing.Contains(reads[i].OrderId, StringComparer.Ordinal))
            {
                missing.Add(reads[i].OrderId);
            }
        }

        if (missing.Count == 0)
        {
            return views;
        }

        var keys = ReadModelKeys.Of(generation);
        var stored = missing.Count == 1
            ? [await store.GetAsync<OrderView>(keys.Order(missing[0]), cancellationToken)]
            : await store.GetManyAsync<OrderView>([.. missing.Select(keys.Order)], cancellationToken);
        var read = new Dictionary<string, OrderView>(StringComparer.Ordinal);
        for (var j = 0; j < missing.Count; j++)
        {
            // A document holding only events that overtook OrderCreated is no order yet.
            if (stored[j].Value is { IsCreated: true } order)
            {
                cache.Remember(generation, order);
                read[missing[j]] = order;
            }
        }

        for (var i = 0; i < reads.Count; i++)
        {
            views[i] ??= read.GetValueOrDefault(reads[i].OrderId);
        }

        return views;
    }

    public async Task<OrderConnection> GetCustomerOrdersAsync(
        string customerId, OrderFilter filter, int first, OrderCursor? after, CancellationToken cancellationToken) =>
        ReadModelKeys.IsValidId(customerId)
            ? await CustomerOrderIndex.ReadAsync(store, await CurrentKeysAsync(cancellationToken), customerId, filter, first, after, maxPagesPerRequest, cancellationToken)
            : OrderConnection.Empty;

    private async ValueTask<ReadModelKeys> CurrentKeysAsync(CancellationToken cancellationToken) =>
        ReadModelKeys.Of((await generations.GetAsync(cancellationToken)).Current);
}
