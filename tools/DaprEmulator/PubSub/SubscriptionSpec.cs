using DaprEmulator.PubSub.Cel;

namespace DaprEmulator.PubSub;

// A routing rule: Match null = always (the `route`/`default` path, or a rule with an empty match).
public sealed record RoutingRule(CelExpression? Match, string Path);

// One entry of the app's GET /dapr/subscribe answer (dapr pkg/runtime/pubsub/subscriptions.go
// SubscriptionJSON), with rules in order and the default (or `route`) last.
public sealed record SubscriptionSpec(
    string PubSubName,
    string Topic,
    IReadOnlyList<RoutingRule> Rules,
    string? DeadLetterTopic,
    IReadOnlyDictionary<string, string> Metadata);
