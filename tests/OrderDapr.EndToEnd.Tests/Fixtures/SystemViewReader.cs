using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OrderDapr.EndToEnd.Tests.Fixtures.Probe;

namespace OrderDapr.EndToEnd.Tests.Fixtures;

// Reads a SystemView through public APIs only, and waits for the system to settle before a
// negative assertion ("nothing changed") looks at it.
public sealed class SystemViewReader(Uri commandApp, string commandAppApiToken, GraphQLApi graphQL, Uri queryApp, string adminToken, ProbeSubscriber probe)
{
    // How far apart the two reads of a settled system are that must agree. Not a speed verdict: a
    // slower machine only takes longer to settle; the interval lets a late stray message show.
    public static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(200);

    private const int StreamPageLimit = 500;
    private const int OrdersPerQuery = 100;

    public async Task<SystemView> SettledAsync()
    {
        SystemView? previous = null;
        var deadline = DateTime.UtcNow + Eventually.DefaultTimeout;
        while (true)
        {
            var view = await ReadAsync();
            if (view.IsSettled && previous is { IsSettled: true } && previous.ToString() == view.ToString())
            {
                return view;
            }

            if (DateTime.UtcNow > deadline)
            {
                var why = view.IsSettled ? $"it kept changing across {CheckInterval}:\n{view}" : view.Unsettled();
                throw new TimeoutException($"The system did not settle (every stored event published and shown by GraphQL, unchanged across two reads): {why}");
            }

            previous = view;
            await Task.Delay(CheckInterval);
        }
    }

    public async Task<SystemView> ReadAsync()
    {
        var stored = await StoredAsync();
        var published = probe.Delivered
            .Select(e => e.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object && d.TryGetProperty("eventId", out var id) ? id.GetString() : null)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        return new SystemView
        {
            Stored = stored,
            Published = published,
            Projected = await ProjectedAsync(stored.Keys),
            DeadLetters = await DeadLettersAsync(),
        };
    }

    // GET /streams, every page: a route only the sidecar may call, so with order-command's
    // APP_API_TOKEN as its sidecar sends it.
    private async Task<Dictionary<string, IReadOnlyList<string>>> StoredAsync()
    {
        using var http = new HttpClient { BaseAddress = commandApp, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("dapr-api-token", commandAppApiToken);
        var stored = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        string? after = null;
        do
        {
            var page = await http.GetFromJsonAsync<JsonElement>($"/streams?limit={StreamPageLimit}" + (after is null ? "" : $"&after={Uri.EscapeDataString(after)}"));
            foreach (var stream in page.GetProperty("streams").EnumerateArray())
            {
                stored[stream.GetProperty("orderId").GetString()!] =
                    [.. stream.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("eventId").GetString()!)];
            }

            after = page.GetProperty("nextCursor").GetString();
        }
        while (after is not null);

        return stored;
    }

    private async Task<Dictionary<string, int>> ProjectedAsync(IEnumerable<string> orderIds)
    {
        var projected = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var chunk in orderIds.Chunk(OrdersPerQuery))
        {
            var fields = chunk.Select((id, i) => $"o{i}: order(id: {JsonSerializer.Serialize(id)}) {{ version }}");
            var data = await graphQL.QueryAsync("{ " + string.Join(' ', fields) + " }");
            for (var i = 0; i < chunk.Length; i++)
            {
                var order = data.GetProperty($"o{i}");
                projected[chunk[i]] = order.ValueKind == JsonValueKind.Null ? 0 : order.GetProperty("version").GetInt32();
            }
        }

        return projected;
    }

    private async Task<int> DeadLettersAsync()
    {
        using var http = new HttpClient { BaseAddress = queryApp, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        var listing = await http.GetFromJsonAsync<JsonElement>("/admin/dead-letters?limit=1");
        return listing.GetProperty("count").GetInt32();
    }
}
