namespace DaprEmulator.Components;

// A `kind: Component` resource as daprd reads it from a resources path
// (dapr/dapr pkg/apis/components/v1alpha1/types.go).
public sealed record ComponentDefinition
{
    public required string Name { get; init; }

    public required string Type { get; init; }

    public string Version { get; init; } = "";

    public IReadOnlyList<KeyValuePair<string, string>> Metadata { get; init; } = [];

    public IReadOnlyList<string> Scopes { get; init; } = [];

    public bool IgnoreErrors { get; init; }

    public string Source { get; init; } = "";

    public string Category => Type.Contains('.', StringComparison.Ordinal) ? Type[..Type.IndexOf('.', StringComparison.Ordinal)] : "";

    // daprd names a component in its logs and init errors as "name (type/version)" (utils.ComponentLogName).
    public string LogName => Version.Length == 0 ? $"{Name} ({Type})" : $"{Name} ({Type}/{Version})";

    // A component with scopes is only loaded by the sidecars whose app id is listed.
    public bool IsLoadedBy(string appId) => Scopes.Count == 0 || Scopes.Contains(appId, StringComparer.Ordinal);

    // Exact match: the outbox reads its keys with ==, not case-folded (pkg/runtime/pubsub/outbox.go AddOrUpdateOutbox).
    public string? GetExact(string name) =>
        Metadata.Where(m => string.Equals(m.Key, name, StringComparison.Ordinal)).Select(m => m.Value).FirstOrDefault();

    // Case-insensitive: components decode metadata with mapstructure, and keyPrefix/actorStateStore
    // are compared after strings.ToLower (pkg/components/state/state_config.go).
    public string? GetIgnoreCase(string name) =>
        Metadata.Where(m => string.Equals(m.Key, name, StringComparison.OrdinalIgnoreCase)).Select(m => m.Value).FirstOrDefault();
}
