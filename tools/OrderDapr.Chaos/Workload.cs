using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OrderDapr.Chaos;

// A command the system acknowledged (2xx): the event it must have stored, at that version.
public sealed record Acknowledged(string OrderId, string Command, int Version, string EventType);

// Clients taking orders through their lifecycle while the system is being broken: most orders
// are placed, paid, shipped and delivered, every fifth is placed and cancelled. Each command
// carries an Idempotency-Key and is sent again until it gets an answer (a crash, a refused
// connection or a 5xx leaves its outcome unknown; the key makes the retry safe).
public sealed class Workload(HttpClient commands, string runId, int customers, TextWriter log)
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(3);

    private int _started;
    private long _unanswered;
    private long _refused;
    private long _retries;

    public ConcurrentBag<Acknowledged> Acknowledged { get; } = [];

    public ConcurrentDictionary<string, string> CustomerOfOrder { get; } = new(StringComparer.Ordinal);

    public long Unanswered => Interlocked.Read(ref _unanswered);

    // Orders whose lifecycle has begun.
    public int Started => Volatile.Read(ref _started);

    public long Refused => Interlocked.Read(ref _refused);

    public long Retries => Interlocked.Read(ref _retries);

    public static string CustomerOf(string runId, int order, int customers) => $"chaos-{runId}-{order % customers}";

    public async Task RunAsync(int orders, int clients, CancellationToken ct)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int order;
            while ((order = Interlocked.Increment(ref next)) < orders && !ct.IsCancellationRequested)
            {
                Interlocked.Increment(ref _started);
                await LifecycleAsync(order, ct);
                if (order % 1000 == 999)
                {
                    log.WriteLine($"  {order + 1:N0} orders driven · {Acknowledged.Count:N0} commands acknowledged · {Retries:N0} retries");
                }
            }
        }, ct)));
    }

    private async Task LifecycleAsync(int order, CancellationToken ct)
    {
        var customer = CustomerOf(runId, order, customers);
        var price = 10m + (order % 50);
        var placed = await SendAsync("place", null, $"{runId}-{order}-place", "OrderCreated.v2",
            $$"""{"customerId":"{{customer}}","items":[{"productId":"p-{{order % 7}}","quantity":2,"unitPrice":{{price.ToString(CultureInfo.InvariantCulture)}}}]}""", ct);
        if (placed is null)
        {
            return;
        }

        CustomerOfOrder[placed.OrderId] = customer;
        string[] steps = order % 5 == 0
            ? ["cancel"]
            : ["pay", "ship", "deliver"];
        foreach (var step in steps)
        {
            var (body, type) = step switch
            {
                "pay" => ($$"""{"amount":{{(price * 2).ToString(CultureInfo.InvariantCulture)}},"paymentId":"pay-{{order}}"}""", "OrderPaid.v1"),
                "ship" => ($$"""{"trackingNumber":"track-{{order}}"}""", "OrderShipped.v1"),
                "deliver" => ((string?)null, "OrderDelivered.v1"),
                _ => ("""{"reason":"chaos changed its mind"}""", "OrderCancelled.v1"),
            };
            if (await SendAsync(step, placed.OrderId, $"{runId}-{order}-{step}", type, body, ct) is null)
            {
                return;
            }
        }
    }

    private async Task<Acknowledged?> SendAsync(string command, string? orderId, string key, string eventType, string? body, CancellationToken ct)
    {
        var path = orderId is null ? "/orders" : $"/orders/{orderId}/{command}";
        var started = DateTime.UtcNow;
        for (var attempt = 0; DateTime.UtcNow - started < GiveUpAfter; attempt++)
        {
            if (attempt > 0)
            {
                Interlocked.Increment(ref _retries);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 50 * (1 << Math.Min(attempt, 6)))), ct);
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, path);
            request.Headers.Add("Idempotency-Key", key);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            HttpResponseMessage response;
            try
            {
                response = await commands.SendAsync(request, ct);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                continue; // the service is down or the connection broke: the outcome is unknown
            }

            using (response)
            {
                if ((int)response.StatusCode >= 500)
                {
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref _refused);
                    log.WriteLine($"  {command} {orderId} refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                    return null;
                }

                var answer = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                var acknowledged = new Acknowledged(answer.GetProperty("orderId").GetString()!, command, answer.GetProperty("version").GetInt32(), eventType);
                Acknowledged.Add(acknowledged);
                return acknowledged;
            }
        }

        Interlocked.Increment(ref _unanswered);
        return null;
    }
}
