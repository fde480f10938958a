using System.Globalization;

namespace OrderDapr.Query.ReadModel;

// Every key of the `readmodel` store. The three families start with different fixed prefixes
// and a page key puts its number before the customer id, so no id can make two keys collide
// (a head `customer-{id}` would collide with a page `customer-{id}-orders-{n}` of another id).
// A projection rebuild can write into a new generation by prefixing these keys.
public static class ReadModelKeys
{
    public static string Order(string orderId) => $"order-{orderId}";

    public static string CustomerHead(string customerId) => $"customer-head-{customerId}";

    public static string CustomerPage(string customerId, int page) =>
        string.Create(CultureInfo.InvariantCulture, $"customer-page-{page}-{customerId}");

    // Dapr stores keys as `{appId}||{key}` and rejects a key containing `||` (InvalidArgument).
    public static bool IsValidId(string? id) => !string.IsNullOrEmpty(id) && !id.Contains("||", StringComparison.Ordinal);
}
