using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrderDapr.Chaos;

// What the stored events say an order is: the fold of its stream, as a reader must see it.
public sealed record OrderFold(string OrderId, string CustomerId, string Status, int Version, decimal Total, string? PaymentId, string? TrackingNumber, string? CancellationReason)
{
    public static OrderFold Of(string orderId, JsonElement events)
    {
        var fold = new OrderFold(orderId, "", "", 0, 0m, null, null, null);
        foreach (var e in events.EnumerateArray())
        {
            var data = e.GetProperty("data");
            fold = e.GetProperty("type").GetString() switch
            {
                "OrderCreated.v2" or "OrderCreated.v1" => fold with
                {
                    Status = "CREATED",
                    CustomerId = data.GetProperty("customerId").GetString()!,
                    Total = data.GetProperty("items").EnumerateArray().Sum(i => i.GetProperty("quantity").GetInt32() * i.GetProperty("unitPrice").GetDecimal()),
                },
                "OrderPaid.v1" => fold with { Status = "PAID", PaymentId = data.GetProperty("paymentId").GetString() },
                "OrderShipped.v1" => fold with { Status = "SHIPPED", TrackingNumber = data.GetProperty("trackingNumber").GetString() },
                "OrderDelivered.v1" => fold with { Status = "DELIVERED" },
                "OrderCancelled.v1" => fold with { Status = "CANCELLED", CancellationReason = data.GetProperty("reason").GetString() },
                var other => throw new InvalidOperationException($"order {orderId} holds an event of unknown type {other}"),
            };
            fold = fold with { Version = fold.Version + 1 };
        }

        return fold;
    }
}

public sealed record CheckResult(long Events, int Orders, int DivergentOrders, int LostAcknowledgedCommands, int EventsAppliedTwice, IReadOnlyList<string> Findings);

// After the run: every acknowledged command against the stored events (public GET
// /orders/{id}/events), every order's read model against the fold of its stream (GraphQL
// order(id)), and every customer's index against the orders it must list exactly once.
public sealed class Checker(HttpClient commands, HttpClient graphQL, TextWriter log)
{
    private const string OrderFields = "id customerId status total version paymentId trackingNumber cancellationReason";

    public async Task<CheckResult> CheckAsync(IReadOnlyCollection<Acknowledged> acknowledged, IReadOnlyDictionary<string, string> customerOfOrder, TimeSpan convergence, CancellationToken ct)
    {
        var findings = new ConcurrentBag<string>();
        var folds = new ConcurrentDictionary<string, OrderFold>(StringComparer.Ordinal);
        var streams = new ConcurrentDictionary<string, JsonElement>(StringComparer.Ordinal);

        log.WriteLine($"  reading {customerOfOrder.Count:N0} streams");
        await Parallel.ForEachAsync(customerOfOrder.Keys, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (orderId, token) =>
        {
            var events = (await GetJsonAsync(commands, $"/orders/{orderId}/events", token)).GetProperty("events");
            streams[orderId] = events;
            folds[orderId] = OrderFold.Of(orderId, events);
        });

        var lost = 0;
        foreach (var ack in acknowledged)
        {
            var events = streams.GetValueOrDefault(ack.OrderId);
            if (events.ValueKind != JsonValueKind.Array || events.GetArrayLength() < ack.Version
                || events[ack.Version - 1].GetProperty("type").GetString() != ack.EventType)
            {
                lost++;
                findings.Add($"acknowledged {ack.Command} of order {ack.OrderId} at version {ack.Version} is not stored as {ack.EventType}");
            }
        }

        log.WriteLine($"  waiting until the read model shows every stream (at most {convergence.TotalSeconds:0} s)");
        var divergent = await DivergentOrdersAsync(folds, convergence, findings, ct);

        log.WriteLine("  reading every customer's index");
        var twice = 0;
        foreach (var customer in folds.Values.GroupBy(f => f.CustomerId))
        {
            twice += await CustomerIndexDiscrepanciesAsync(customer.Key, [.. customer], findings, ct);
        }

        return new CheckResult(streams.Values.Sum(s => (long)s.GetArrayLength()), folds.Count, divergent, lost, twice, [.. findings]);
    }

    // Orders whose read model still differs from the fold of their stream once it had time to converge.
    private async Task<int> DivergentOrdersAsync(ConcurrentDictionary<string, OrderFold> folds, TimeSpan convergence, ConcurrentBag<string> findings, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + convergence;
        var pending = folds.Keys.ToList();
        var last = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            var stillDiffering = new ConcurrentBag<string>();
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (orderId, token) =>
            {
                var data = await GraphQLAsync($"query($id: ID!) {{ order(id: $id) {{ {OrderFields} }} }}", new JsonObject { ["id"] = orderId }, token);
                var view = data["order"];
                var fold = folds[orderId];
                var shown = view is null
                    ? "no order"
                    : $"{view["status"]} v{view["version"]} {view["customerId"]} {view["total"]} {view["paymentId"]} {view["trackingNumber"]} {view["cancellationReason"]}";
                var expected = $"{fold.Status} v{fold.Version} {fold.CustomerId} {fold.Total} {fold.PaymentId} {fold.TrackingNumber} {fold.CancellationReason}";
                if (view is null || view["status"]?.GetValue<string>() != fold.Status || view["version"]?.GetValue<int>() != fold.Version
                    || view["customerId"]?.GetValue<string>() != fold.CustomerId || view["total"]?.GetValue<decimal>() != fold.Total
                    || view["paymentId"]?.GetValue<string>() != fold.PaymentId || view["trackingNumber"]?.GetValue<string>() != fold.TrackingNumber
                    || view["cancellationReason"]?.GetValue<string>() != fold.CancellationReason)
                {
                    stillDiffering.Add(orderId);
                    last[orderId] = $"order {orderId}: read model shows [{shown}], its stream folds to [{expected}]";
                }
            });

            pending = [.. stillDiffering];
            if (pending.Count == 0 || DateTime.UtcNow > deadline)
            {
                foreach (var orderId in pending)
                {
                    findings.Add(last[orderId]);
                }

                return pending.Count;
            }

            await Task.Delay(500, ct);
        }
    }

    // Each order of the customer listed exactly once, and the counts by status equal the folds'.
    private async Task<int> CustomerIndexDiscrepanciesAsync(string customerId, IReadOnlyList<OrderFold> orders, ConcurrentBag<string> findings, CancellationToken ct)
    {
        var listed = new List<string>();
        string? after = null;
        int totalCount;
        do
        {
            var data = await GraphQLAsync(
                "query($c: String!, $after: String) { orders(customerId: $c, first: 100, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }",
                new JsonObject { ["c"] = customerId, ["after"] = after }, ct);
            var connection = data["orders"]!;
            totalCount = connection["totalCount"]!.GetValue<int>();
            listed.AddRange(connection["edges"]!.AsArray().Select(e => e!["node"]!["id"]!.GetValue<string>()));
            after = connection["pageInfo"]!["hasNextPage"]!.GetValue<bool>() ? connection["pageInfo"]!["endCursor"]!.GetValue<string>() : null;
        }
        while (after is not null);

        var discrepancies = 0;
        foreach (var twice in listed.GroupBy(id => id).Where(g => g.Count() > 1))
        {
            discrepancies++;
            findings.Add($"customer {customerId} lists order {twice.Key} {twice.Count()} times");
        }

        var expected = orders.Select(o => o.OrderId).ToHashSet(StringComparer.Ordinal);
        if (totalCount != expected.Count || !expected.SetEquals(listed))
        {
            discrepancies++;
            findings.Add($"customer {customerId}: totalCount {totalCount} and {listed.Distinct().Count()} listed, but {expected.Count} orders stored");
        }

        foreach (var status in orders.GroupBy(o => o.Status))
        {
            var data = await GraphQLAsync($"query($c: String!) {{ orders(customerId: $c, status: {status.Key}, first: 0) {{ totalCount }} }}", new JsonObject { ["c"] = customerId }, ct);
            var counted = data["orders"]!["totalCount"]!.GetValue<int>();
            if (counted != status.Count())
            {
                discrepancies++;
                findings.Add($"customer {customerId}: {counted} orders counted {status.Key}, {status.Count()} stored");
            }
        }

        return discrepancies;
    }

    private async Task<JsonNode> GraphQLAsync(string query, JsonObject variables, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var response = await graphQL.PostAsJsonAsync("/graphql", new JsonObject { ["query"] = query, ["variables"] = variables }, ct);
                var body = await response.Content.ReadFromJsonAsync<JsonNode>(ct);
                if (response.IsSuccessStatusCode && body?["errors"] is null && body?["data"] is { } data)
                {
                    return data;
                }

                if (attempt >= 5)
                {
                    throw new InvalidOperationException($"GraphQL answered {(int)response.StatusCode}: {body}");
                }
            }
            catch (HttpRequestException) when (attempt < 5)
            {
            }

            await Task.Delay(200 * attempt, ct);
        }
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var response = await http.GetAsync(path, ct);
                if (response.IsSuccessStatusCode)
                {
                    return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                }

                if (attempt >= 5)
                {
                    throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}");
                }
            }
            catch (HttpRequestException) when (attempt < 5)
            {
            }

            await Task.Delay(200 * attempt, ct);
        }
    }
}
