using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using DaprEmulator.PubSub.Cel;

namespace DaprEmulator.PubSub;

// GET /dapr/subscribe on the app, like dapr pkg/runtime/pubsub GetSubscriptionsHTTP: 200 = the list,
// 404 = no subscriptions, other statuses are logged and mean none. Subscriptions without any route
// are dropped with a warning (filterSubscriptions).
public static class SubscriptionDiscovery
{
    // Go's encoding/json matches field names ignoring case.
    private static readonly JsonSerializerOptions GoJsonOptions = new() { PropertyNameCaseInsensitive = true };

    public static async Task<IReadOnlyList<SubscriptionSpec>> DiscoverAsync(HttpClient app, ILogger logger, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "dapr/subscribe");
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await app.SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            logger.LogDebug("user app did not subscribe to any topic");
            return [];
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            logger.LogError("app returned http status code {Status} from subscription endpoint", (int)response.StatusCode);
            return [];
        }

        var body = await response.Content.ReadAsByteArrayAsync(ct);
        return body.Length == 0 ? [] : Parse(body, logger);
    }

    public static IReadOnlyList<SubscriptionSpec> Parse(byte[] json, ILogger logger)
    {
        List<SubscriptionJson>? items;
        try
        {
            items = JsonSerializer.Deserialize<List<SubscriptionJson>>(json, GoJsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"error getting topics from app: {e.Message}", e);
        }

        var result = new List<SubscriptionSpec>();
        foreach (var item in items ?? [])
        {
            var rules = new List<RoutingRule>();
            foreach (var rule in item.Routes?.Rules ?? [])
            {
                var match = rule.Match?.Trim();
                rules.Add(new RoutingRule(string.IsNullOrEmpty(match) ? null : CelExpression.Parse(match), rule.Path ?? ""));
            }

            if (!string.IsNullOrEmpty(item.Routes?.Default))
            {
                rules.Add(new RoutingRule(null, item.Routes.Default));
            }
            else if (!string.IsNullOrEmpty(item.Route))
            {
                rules.Add(new RoutingRule(null, item.Route));
            }

            if (rules.Count == 0)
            {
                logger.LogWarning("topic {Topic} has an empty routes. removing from subscriptions list", item.Topic);
                continue;
            }

            var metadata = item.Metadata ?? new Dictionary<string, string>();
            BulkSubscribeSpec? bulk = null;
            if (item.BulkSubscribe is { Enabled: true } b)
            {
                // A raw payload reaches the app of a bulk subscription as base64 in "event", routed
                // on that string: not emulated (nor an invalid rawPayload, which daprd reports per batch).
                if (metadata.TryGetValue("rawPayload", out var raw) && raw.Length > 0 && (!Components.GoBool.TryParse(raw, out var isRaw) || isRaw))
                {
                    throw new NotSupportedException($"bulk subscribe with rawPayload (topic {item.Topic} on {item.PubSubName}) is not emulated");
                }

                bulk = new BulkSubscribeSpec(b.MaxMessagesCount, b.MaxAwaitDurationMs);
            }

            result.Add(new SubscriptionSpec(
                item.PubSubName ?? "", item.Topic ?? "", rules,
                string.IsNullOrEmpty(item.DeadLetterTopic) ? null : item.DeadLetterTopic,
                metadata, bulk));
        }

        return result;
    }

    private sealed record SubscriptionJson(
        [property: JsonPropertyName("pubsubname")] string? PubSubName,
        [property: JsonPropertyName("topic")] string? Topic,
        [property: JsonPropertyName("deadLetterTopic")] string? DeadLetterTopic,
        [property: JsonPropertyName("metadata")] Dictionary<string, string>? Metadata,
        [property: JsonPropertyName("route")] string? Route,
        [property: JsonPropertyName("routes")] RoutesJson? Routes,
        [property: JsonPropertyName("bulkSubscribe")] BulkSubscribeJson? BulkSubscribe);

    private sealed record RoutesJson(
        [property: JsonPropertyName("rules")] List<RuleJson>? Rules,
        [property: JsonPropertyName("default")] string? Default);

    private sealed record RuleJson(
        [property: JsonPropertyName("match")] string? Match,
        [property: JsonPropertyName("path")] string? Path);

    private sealed record BulkSubscribeJson(
        [property: JsonPropertyName("enabled")] bool Enabled,
        [property: JsonPropertyName("maxMessagesCount")] int MaxMessagesCount,
        [property: JsonPropertyName("maxAwaitDurationMs")] int MaxAwaitDurationMs);
}
