using OrderDapr.Query.Projections;

namespace OrderDapr.Query.ReadModel;

// What readers may see of the read model. A later read-your-writes `order(id, minVersion)`
// waits here, polling GetOrderAsync until Version >= minVersion or a short deadline.
public sealed class OrderQueries(IReadModelStore store, int maxPagesPerRequest = OrderQueries.DefaultMaxPagesPerRequest)
{
    // 10 pages = at most 500 index entries and their documents per request.
    public const int DefaultMaxPagesPerRequest = 10;

    public async Task<OrderView?> GetOrderAsync(string orderId, CancellationToken cancellationToken)
    {
        if (!ReadModelKeys.IsValidId(orderId))
        {
            return null;
        }

        var order = (await store.GetAsync<OrderView>(ReadModelKeys.Order(orderId), cancellationToken)).Value;

        // A document holding only events that overtook OrderCreated is no order yet.
        return order is { IsCreated: true } ? order : null;
    }

    public Task<OrderConnection> GetCustomerOrdersAsync(
        string customerId, OrderStatus? status, int first, OrderCursor? after, CancellationToken cancellationToken) =>
        ReadModelKeys.IsValidId(customerId)
            ? CustomerOrderIndex.ReadAsync(store, customerId, status, first, after, maxPagesPerRequest, cancellationToken)
            : Task.FromResult(OrderConnection.Empty);
}
