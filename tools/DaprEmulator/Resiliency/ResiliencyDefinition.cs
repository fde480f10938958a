namespace DaprEmulator.Resiliency;

// A `kind: Resiliency` resource, reduced to what the emulator applies: retry policies and the
// inbound retry of pub/sub components (deliveries to the app).
public sealed record ResiliencyDefinition
{
    public required string Name { get; init; }

    public IReadOnlyList<string> Scopes { get; init; } = [];

    public IReadOnlyDictionary<string, RetryPolicy> Retries { get; init; } = new Dictionary<string, RetryPolicy>();

    // targets.components.{name}.inbound.retry
    public IReadOnlyDictionary<string, string> ComponentInboundRetries { get; init; } = new Dictionary<string, string>();

    public string Source { get; init; } = "";

    public bool AppliesTo(string appId) => Scopes.Count == 0 || Scopes.Contains(appId, StringComparer.Ordinal);
}
