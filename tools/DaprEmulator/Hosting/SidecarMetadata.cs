using DaprEmulator.PubSub;

namespace DaprEmulator.Hosting;

public sealed record RegisteredComponent(string Name, string Type, string Version, IReadOnlyList<string> Capabilities);

public sealed record ActiveActors(string Type, int Count);

// What GET /v1.0/metadata and the GetMetadata RPC report about one sidecar.
public sealed record SidecarMetadataSnapshot(
    string AppId,
    IReadOnlyList<RegisteredComponent> Components,
    IReadOnlyList<SubscriptionSpec> Subscriptions,
    IReadOnlyList<ActiveActors> Actors,
    int? AppPort,
    bool ActorHostReady)
{
    public const string RuntimeVersion = "emulator";
}

internal interface ISidecarMetadataSource
{
    SidecarMetadataSnapshot Snapshot();
}
