using System.Text.Json.Nodes;

namespace OrderDapr.Query.Tests.Fixtures;

// The documents of one read-model generation, keys without the generation's prefix, JSON with
// object members sorted (a dictionary's member order depends on the order it was filled in).
public static class ReadModelSnapshot
{
    public static IReadOnlyDictionary<string, string> Of(InMemoryReadModelStore store, int generation)
    {
        var prefix = generation == 0 ? "" : $"g{generation}-";
        return store.Keys
            .Where(k => generation == 0
                ? k.StartsWith("order-", StringComparison.Ordinal) || k.StartsWith("customer-", StringComparison.Ordinal)
                : k.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(k => k[prefix.Length..], k => Canonical(JsonNode.Parse(store.RawJson(k)!)), StringComparer.Ordinal);
    }

    private static string Canonical(JsonNode? node) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"\"{p.Key}\":{Canonical(p.Value)}")) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Canonical)) + "]",
        null => "null",
        _ => node.ToJsonString(),
    };
}
