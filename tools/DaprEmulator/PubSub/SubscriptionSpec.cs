using System.Text.Json.Nodes;
using DaprEmulator.PubSub.Cel;

namespace DaprEmulator.PubSub;

// A routing rule: Match null = always (the `route`/`default` path, or a rule with an empty match).
public sealed record RoutingRule(CelExpression? Match, string Path);

// bulkSubscribe of a subscription; a count or duration of 0 means daprd's default.
public sealed record BulkSubscribeSpec(int MaxMessagesCount, int MaxAwaitDurationMs);

// One entry of the app's GET /dapr/subscribe answer (dapr pkg/runtime/pubsub/subscriptions.go
// SubscriptionJSON), with rules in order and the default (or `route`) last. BulkSubscribe is set
// when bulkSubscribe.enabled is true.
public sealed record SubscriptionSpec(
    string PubSubName,
    string Topic,
    IReadOnlyList<RoutingRule> Rules,
    string? DeadLetterTopic,
    IReadOnlyDictionary<string, string> Metadata,
    BulkSubscribeSpec? BulkSubscribe)
{
    // findMatchingRoute: the path of the first rule that matches, null when none does (the event is
    // skipped). Throws CelEvaluationException when a rule cannot be evaluated.
    public string? Route(JsonObject cloudEvent) => Rules.FirstOrDefault(r => r.Match is null || r.Match.Matches(cloudEvent))?.Path;
}
