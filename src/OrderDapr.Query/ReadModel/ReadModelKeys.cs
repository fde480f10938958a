using System.Globalization;

namespace OrderDapr.Query.ReadModel;

// Every key of one generation of the order read model. The three families start with different
// fixed prefixes and a page key puts its number before the customer id, so no id can make two
// keys collide (a head `customer-{id}` would collide with a page `customer-{id}-orders-{n}` of
// another id). Generation 0 is the read model as it was before rebuilds existed: its keys carry
// no prefix, so the documents already stored stay where they are. Generation n > 0 prefixes
// every key with `g{n}-`: a prefix no generation-0 key starts with, ended by a character no
// number holds, so no two generations share a key. Documents outside the generations
// (Generations.Key, the rebuild's progress, the dead letters) start with other fixed words.
public sealed class ReadModelKeys
{
    private readonly string prefix;

    private ReadModelKeys(int generation)
    {
        Generation = generation;
        prefix = generation == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"g{generation}-");
    }

    public static ReadModelKeys Initial { get; } = new(0);

    public int Generation { get; }

    public static ReadModelKeys Of(int generation) => generation switch
    {
        0 => Initial,
        > 0 => new ReadModelKeys(generation),
        _ => throw new ArgumentOutOfRangeException(nameof(generation), generation, "A generation is 0 or more."),
    };

    public string Order(string orderId) => $"{prefix}order-{orderId}";

    public string CustomerHead(string customerId) => $"{prefix}customer-head-{customerId}";

    public string CustomerPage(string customerId, int page) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}customer-page-{page}-{customerId}");

    // Dapr stores keys as `{appId}||{key}` and rejects a key containing `||` (InvalidArgument).
    public static bool IsValidId(string? id) => !string.IsNullOrEmpty(id) && !id.Contains("||", StringComparison.Ordinal);
}
