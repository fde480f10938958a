using DaprEmulator.Components;

namespace DaprEmulator.Hosting;

// What /v1.0/metadata and GetMetadata report, with the capabilities daprd lists per component.
public sealed partial class DaprSidecar
{
    public SidecarMetadataSnapshot Snapshot() => new(
        AppId,
        [.. _components.All.Select(c => new RegisteredComponent(c.Name, c.Type, c.Version, Capabilities(c)))],
        _subscriptionSpecs,
        [.. _actors.ActiveActorCounts(AppId).Select(t => new ActiveActors(t.Key, t.Value))],
        AppPort,
        _actorHostRegistered);

    private IReadOnlyList<string> Capabilities(ComponentDefinition c)
    {
        var actor = _components.ActorStateStore?.Definition == c ? new[] { "ACTOR" } : [];
        return ComponentTypes.Resolve(c) switch
        {
            EmulatedComponentKind.PostgreSqlStateV1 => ["ETAG", "TRANSACTIONAL", "QUERY_API", "TTL", .. actor],
            EmulatedComponentKind.PostgreSqlStateV2 => ["ETAG", "TRANSACTIONAL", "TTL", .. actor],
            EmulatedComponentKind.InMemoryState => ["ETAG", "TRANSACTIONAL", "TTL", "DELETE_WITH_PREFIX", "KEYS_LIKE", .. actor],
            EmulatedComponentKind.InMemoryPubSub => ["SUBSCRIBE_WILDCARDS"],
            _ => [],
        };
    }
}
