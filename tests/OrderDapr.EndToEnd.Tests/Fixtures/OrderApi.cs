using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OrderDapr.EndToEnd.Tests.Fixtures;

public sealed record Answer(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)
{
    public string? Header(string name) =>
        Response.Headers.TryGetValues(name, out var v) ? string.Join(",", v)
        : Response.Content.Headers.TryGetValues(name, out var c) ? string.Join(",", c) : null;

    public string ProblemCode => Body.GetProperty("code").GetString()!;

    public string OrderId => Body.GetProperty("orderId").GetString()!;

    public int Version => Body.GetProperty("version").GetInt32();
}

// A client of order-command, as a frontend or curl would use it.
public sealed class OrderApi(HttpClient http)
{
    public const string SampleOrder = """{"customerId":"c-1","items":[{"productId":"p-1","quantity":2,"unitPrice":9.99}]}""";

    public Task<Answer> PlaceRawAsync(string json, string? idempotencyKey = null) =>
        SendAsync(HttpMethod.Post, "/orders", json, idempotencyKey: idempotencyKey);

    public async Task<string> PlaceAsync(string customerId, decimal unitPrice = 9.99m, int quantity = 2)
    {
        var answer = await PlaceRawAsync($$"""{"customerId":"{{customerId}}","items":[{"productId":"p-1","quantity":{{quantity}},"unitPrice":{{unitPrice.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}]}""");
        Assert.Equal(HttpStatusCode.Created, answer.Status);
        return answer.OrderId;
    }

    public Task<Answer> PayAsync(string orderId, decimal amount, string paymentId = "pay-1", string? ifMatch = null, string? idempotencyKey = null) =>
        SendAsync(HttpMethod.Post, $"/orders/{orderId}/pay",
            $$"""{"amount":{{amount.ToString(System.Globalization.CultureInfo.InvariantCulture)}},"paymentId":"{{paymentId}}"}""", ifMatch, idempotencyKey);

    public Task<Answer> ShipAsync(string orderId, string trackingNumber = "track-1", string? ifMatch = null) =>
        SendAsync(HttpMethod.Post, $"/orders/{orderId}/ship", $$"""{"trackingNumber":"{{trackingNumber}}"}""", ifMatch);

    public Task<Answer> DeliverAsync(string orderId, string? ifMatch = null) =>
        SendAsync(HttpMethod.Post, $"/orders/{orderId}/deliver", null, ifMatch);

    public Task<Answer> CancelAsync(string orderId, string reason = "changed my mind", string? ifMatch = null, string? idempotencyKey = null) =>
        SendAsync(HttpMethod.Post, $"/orders/{orderId}/cancel", $$"""{"reason":"{{reason}}"}""", ifMatch, idempotencyKey);

    public Task<Answer> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null);

    public async Task<Answer> SendAsync(HttpMethod method, string path, string? json, string? ifMatch = null, string? idempotencyKey = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, contentType);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return new Answer(response.StatusCode, body, response);
    }
}

// A client of order-query's /graphql endpoint (GraphQL over HTTP, POST application/json).
public sealed class GraphQLApi(HttpClient http)
{
    public async Task<JsonElement> QueryAsync(string query, object? variables = null)
    {
        var response = await http.PostAsJsonAsync("/graphql", new { query, variables });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"GraphQL answered {(int)response.StatusCode}: {body}");
        if (body.TryGetProperty("errors", out var errors))
        {
            Assert.Fail($"GraphQL errors: {errors}");
        }

        return body.GetProperty("data");
    }

    public const string OrderFields = "id customerId status total currency items { productId quantity unitPrice } version createdAt updatedAt paymentId trackingNumber cancellationReason";

    public async Task<JsonElement?> OrderAsync(string orderId)
    {
        var data = await QueryAsync($"query($id: ID!) {{ order(id: $id) {{ {OrderFields} }} }}", new { id = orderId });
        var order = data.GetProperty("order");
        return order.ValueKind == JsonValueKind.Null ? null : order;
    }

    // Polls until the projection shows the order at (at least) the given version.
    public Task<JsonElement> OrderAtVersionAsync(string orderId, int version) =>
        OrderWhereAsync(orderId, o => o.GetProperty("version").GetInt32() >= version, $"order {orderId} at version {version} in GraphQL");

    public async Task<JsonElement> OrderWhereAsync(string orderId, Func<JsonElement, bool> accept, string what)
    {
        JsonElement? last = null;
        await Eventually.Async(async () =>
        {
            last = await OrderAsync(orderId);
            return last is { } o && accept(o);
        }, what);
        return last!.Value;
    }
}
