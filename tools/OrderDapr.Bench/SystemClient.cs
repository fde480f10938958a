using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrderDapr.Bench;

public sealed record Placed(string OrderId, int Version, string CustomerId, decimal Total);

// The system as a client sees it: order-command's HTTP API and order-query's GraphQL.
public sealed class SystemClient(Endpoints endpoints, int connections) : IDisposable
{
    private const string OrderVersionQuery = "query($id: ID!) { order(id: $id) { version } }";
    private const string OrderQuery = "query($id: ID!) { order(id: $id) { id customerId status total currency items { productId quantity unitPrice } version createdAt updatedAt } }";
    private const string CustomerOrdersQuery = "query($c: String!) { orders(customerId: $c, first: 20) { totalCount edges { cursor node { id status total } } pageInfo { hasNextPage endCursor } } }";

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    public static decimal PriceOf(long index) => 10m + (index % 90);

    public async Task<bool> IsHealthyAsync(Uri baseAddress, CancellationToken ct)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri(baseAddress, "/healthz"), ct);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public async Task<bool> CeilingAsync(CancellationToken ct)
    {
        using var response = await _http.GetAsync(new Uri(endpoints.Command, "/healthz"), HttpCompletionOption.ResponseContentRead, ct);
        return response.IsSuccessStatusCode;
    }

    public async Task<Placed?> PlaceAsync(string customerId, long index, CancellationToken ct)
    {
        var price = PriceOf(index);
        var body = string.Create(CultureInfo.InvariantCulture,
            $$"""{"customerId":"{{customerId}}","items":[{"productId":"p-{{index % 500}}","quantity":1,"unitPrice":{{price}}}]}""");
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(new Uri(endpoints.Command, "/orders"), content, ct);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            return null;
        }

        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return new Placed(answer.GetProperty("orderId").GetString()!, answer.GetProperty("version").GetInt32(), customerId, price);
    }

    public async Task<int?> CommandAsync(string orderId, string command, string? json, CancellationToken ct)
    {
        using var content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(new Uri(endpoints.Command, $"/orders/{orderId}/{command}"), content, ct);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return answer.GetProperty("version").GetInt32();
    }

    public async Task<bool> GetOrderStateAsync(string orderId, CancellationToken ct)
    {
        using var response = await _http.GetAsync(new Uri(endpoints.Command, $"/orders/{orderId}"), HttpCompletionOption.ResponseContentRead, ct);
        return response.IsSuccessStatusCode;
    }

    // The version order-query shows for an order: 0 while it is not visible.
    public async Task<int> ProjectedVersionAsync(string orderId, CancellationToken ct)
    {
        var data = await GraphQLAsync(OrderVersionQuery, new JsonObject { ["id"] = orderId }, ct);
        return data?["order"]?["version"]?.GetValue<int>() ?? 0;
    }

    public async Task<bool> OrderAsync(string orderId, CancellationToken ct) =>
        (await GraphQLAsync(OrderQuery, new JsonObject { ["id"] = orderId }, ct))?["order"] is JsonObject;

    public async Task<bool> CustomerOrdersAsync(string customerId, CancellationToken ct) =>
        (await GraphQLAsync(CustomerOrdersQuery, new JsonObject { ["c"] = customerId }, ct))?["orders"]?["edges"] is JsonArray;

    // totalCount of each customer's orders, as order-query shows it now.
    public async Task<long> TotalOrdersAsync(IReadOnlyList<string> customers, CancellationToken ct)
    {
        long total = 0;
        foreach (var chunk in customers.Chunk(20))
        {
            var fields = string.Join(' ', chunk.Select((c, i) => $"c{i}: orders(customerId: \"{c}\", first: 0) {{ totalCount }}"));
            var data = await GraphQLAsync($"{{ {fields} }}", null, ct);
            for (var i = 0; i < chunk.Length; i++)
            {
                total += data?[$"c{i}"]?["totalCount"]?.GetValue<int>() ?? 0;
            }
        }

        return total;
    }

    private async Task<JsonNode?> GraphQLAsync(string query, JsonObject? variables, CancellationToken ct)
    {
        var request = new JsonObject { ["query"] = query };
        if (variables is not null)
        {
            request["variables"] = variables;
        }

        using var content = new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(new Uri(endpoints.Query, "/graphql"), content, ct);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var answer = await response.Content.ReadFromJsonAsync<JsonNode>(ct);
        return answer?["errors"] is null ? answer?["data"] : null;
    }

    public void Dispose() => _http.Dispose();
}

// Where the system listens: the ports of dapr.yaml unless told otherwise.
public sealed record Endpoints(Uri Command, Uri Query, Uri CommandSidecarHttp, Uri CommandSidecarGrpc, Uri QuerySidecarHttp, Uri QuerySidecarGrpc);
