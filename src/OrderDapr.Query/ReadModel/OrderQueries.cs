namespace OrderDapr.Query.ReadModel;

// What readers may see of the read model: the documents of the current generation.
public sealed class OrderQueries(IReadModelStore store, Generations generations, int maxPagesPerRequest = OrderQueries.DefaultMaxPagesPerRequest)
{
    // 10 pages = at most 500 index entries and their documents per request.
    public const int DefaultMaxPagesPerRequest = 10;

    public async Task<OrderView?> GetOrderAsync(string orderId, CancellationToken cancellationToken)
    {
        if (!ReadModelKeys.IsValidId(orderId))
        {
            return null;
        }

        var keys = await CurrentKeysAsync(cancellationToken);
        var order = (await store.GetAsync<OrderView>(keys.Order(orderId), cancellationToken)).Value;

        // A document holding only events that overtook OrderCreated is no order yet.
        return order is { IsCreated: true } ? order : null;
    }

    public async Task<OrderConnection> GetCustomerOrdersAsync(
        string customerId, OrderStatus? status, int first, OrderCursor? after, CancellationToken cancellationToken) =>
        ReadModelKeys.IsValidId(customerId)
            ? await CustomerOrderIndex.ReadAsync(store, await CurrentKeysAsync(cancellationToken), customerId, status, first, after, maxPagesPerRequest, cancellationToken)
            : OrderConnection.Empty;

    private async ValueTask<ReadModelKeys> CurrentKeysAsync(CancellationToken cancellationToken) =>
        ReadModelKeys.Of((await generations.GetAsync(cancellationToken)).Current);
}
