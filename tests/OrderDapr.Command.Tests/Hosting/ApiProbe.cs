using System.Text;
using System.Text.Json;
using OrderDapr.Command.Domain;

namespace OrderDapr.Command.Tests.Hosting;

// One answer of the app, as the document would have to describe it.
public sealed record Answer(string Operation, int Status, string? Code, IReadOnlySet<string> Headers);

// Sends requests to the operations /openapi/v1.json lists, by their ids, and holds every answer
// to the document as it comes: a status the operation documents, and for an error a problem whose
// code is documented for that status, for a success only headers documented for it.
public sealed class ApiProbe(HttpClient client, DocumentedApi api)
{
    public const string PlaceBody = """{"customerId":"c-1","items":[{"productId":"p-1","quantity":2,"unitPrice":9.99}]}""";

    // Headers of the connection, not of the API.
    private static readonly HashSet<string> Transport = new(StringComparer.OrdinalIgnoreCase) { "Date", "Server", "Transfer-Encoding" };

    private readonly List<Answer> answers = [];

    public IReadOnlyList<Answer> Answers => answers;

    // A body each operation takes, for an order placed with PlaceBody.
    public static string? ValidBody(string operation) => operation switch
    {
        "PlaceOrder" => PlaceBody,
        "PayOrder" => """{"amount":19.98,"paymentId":"pay-1"}""",
        "ShipOrder" => """{"trackingNumber":"1Z999"}""",
        "CancelOrder" => """{"reason":"changed my mind"}""",
        _ => null,
    };

    public async Task<(int Status, JsonElement? Body)> SendAsync(
        string operation,
        string? orderId = null,
        string? body = null,
        string contentType = "application/json",
        string query = "",
        params (string Name, string Value)[] headers)
    {
        var documented = api.Operations[operation];
        using var request = new HttpRequestMessage(documented.Method, documented.Path.Replace("{orderId}", orderId, StringComparison.Ordinal) + query);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, contentType);
        }

        foreach (var (name, value) in headers)
        {
            Assert.True(request.Headers.TryAddWithoutValidation(name, value));
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        Assert.True(documented.Statuses.Contains(status), $"{operation} answered {status}, which its documentation does not list: {text}");
        var json = text.Length == 0 ? (JsonElement?)null : JsonDocument.Parse(text).RootElement.Clone();
        if (status >= 400)
        {
            Assert.Equal(DocumentedApi.ProblemJson, response.Content.Headers.ContentType?.MediaType);
            var code = json is { } problem && problem.TryGetProperty("code", out var c) ? c.GetString() : null;
            Assert.True(code is not null && documented.Codes[status].Contains(code),
                $"{operation} answered {status} with code {code}, which its documentation does not list for {status}: {text}");
            answers.Add(new Answer(operation, status, code, new HashSet<string>()));
        }
        else
        {
            var sent = response.Headers.Select(h => h.Key).Where(h => !Transport.Contains(h)).ToHashSet(StringComparer.OrdinalIgnoreCase);
            Assert.True(sent.IsSubsetOf(documented.SuccessHeaders[status]),
                $"{operation} {status} sent headers {string.Join(", ", sent)}; documented: {string.Join(", ", documented.SuccessHeaders[status])}");
            answers.Add(new Answer(operation, status, null, sent));
        }

        return (status, json);
    }

    // An order placed (with this Idempotency-Key, if any) and taken to this status.
    public async Task<string> OrderInAsync(OrderStatus status, string? idempotencyKey = null)
    {
        var (placed, body) = await SendAsync("PlaceOrder", body: PlaceBody, headers: idempotencyKey is null ? [] : [("Idempotency-Key", idempotencyKey)]);
        Assert.Equal(201, placed);
        var orderId = body!.Value.GetProperty("orderId").GetString()!;
        string[] steps = status switch
        {
            OrderStatus.Created => [],
            OrderStatus.Paid => ["PayOrder"],
            OrderStatus.Shipped => ["PayOrder", "ShipOrder"],
            OrderStatus.Delivered => ["PayOrder", "ShipOrder", "DeliverOrder"],
            OrderStatus.Cancelled => ["CancelOrder"],
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, "No way to reach it."),
        };
        foreach (var step in steps)
        {
            var (moved, _) = await SendAsync(step, orderId, ValidBody(step));
            Assert.Equal(200, moved);
        }

        return orderId;
    }
}
