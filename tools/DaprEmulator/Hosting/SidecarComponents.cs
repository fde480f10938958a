using DaprEmulator.Components;
using DaprEmulator.Outbox;
using DaprEmulator.PubSub;
using DaprEmulator.State;

namespace DaprEmulator.Hosting;

public sealed record LoadedStateStore(ComponentDefinition Definition, IStateStore Store, StateKeyPrefix KeyPrefix);

public sealed record LoadedPubSub(ComponentDefinition Definition, IPubSubComponent Component);

// The components one sidecar loads: those in its resources paths whose scopes include its app id,
// initialised like daprd does (an unknown type stops the sidecar unless ignoreErrors is set).
internal sealed class SidecarComponents : IAsyncDisposable
{
    // Pub/sub topic scoping (pkg/runtime/pubsub IsOperationAllowed) is not emulated.
    private static readonly string[] TopicScopingMetadata = ["publishingScopes", "subscriptionScopes", "allowedTopics", "protectedTopics"];

    public Dictionary<string, LoadedStateStore> StateStores { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, LoadedPubSub> PubSubs { get; } = new(StringComparer.Ordinal);

    public List<OutboxConfig> Outboxes { get; } = [];

    public LoadedStateStore? ActorStateStore { get; private set; }

    public List<ComponentDefinition> All { get; } = [];

    public static SidecarComponents Load(
        IEnumerable<ComponentDefinition> definitions, string appId, string? ns, SharedBackends backends,
        TimeProvider time, ILoggerFactory loggers, ILogger log)
    {
        var loaded = new SidecarComponents();
        foreach (var component in definitions.Where(c => c.IsLoadedBy(appId)))
        {
            EmulatedComponentKind kind;
            try
            {
                kind = ComponentTypes.Resolve(component);
            }
            catch (ResourceLoadException e) when (component.IgnoreErrors)
            {
                log.LogError("Ignoring error processing component: {Error}", e.Message);
                continue;
            }

            var metadata = ComponentMetadata.Resolve(component, appId, ns);
            switch (kind)
            {
                case EmulatedComponentKind.PostgreSqlStateV1 or EmulatedComponentKind.PostgreSqlStateV2 or EmulatedComponentKind.InMemoryState:
                    IStateStore store = kind == EmulatedComponentKind.InMemoryState
                        ? new InMemoryStateStore(component.Name, time)
                        : backends.PostgreSql(component, kind);
                    var prefix = CreatePrefix(component, ns);
                    var state = new LoadedStateStore(component, store, prefix);
                    loaded.StateStores[component.Name] = state;
                    if (TruthyValue.IsTruthy(component.GetIgnoreCase("actorStateStore")))
                    {
                        if (loaded.ActorStateStore is { } other)
                        {
                            throw new ResourceLoadException(
                                $"process component {component.Name} error: detected duplicate actor state store: {other.Definition.Name} and {component.Name}");
                        }

                        loaded.ActorStateStore = state;
                        log.LogInformation("Using '{Store}' as actor state store", component.Name);
                    }

                    if (OutboxConfig.From(component) is { } outbox)
                    {
                        loaded.Outboxes.Add(outbox);
                    }

                    break;
                case EmulatedComponentKind.RedisStreamsPubSub or EmulatedComponentKind.InMemoryPubSub:
                    if (TopicScopingMetadata.FirstOrDefault(k => component.GetIgnoreCase(k) is not null) is { } scoping)
                    {
                        throw new ResourceLoadException($"component {component.LogName}: metadata '{scoping}' (pub/sub topic scoping) is not emulated");
                    }

                    IPubSubComponent pubsub = kind == EmulatedComponentKind.InMemoryPubSub
                        ? new InMemoryPubSub(component.Name, loggers.CreateLogger($"Dapr[{appId}].pubsub.in-memory"))
                        : new RedisStreamsClient(backends.Redis(component), RedisStreamsSettings.From(metadata, appId), time, loggers.CreateLogger($"Dapr[{appId}].pubsub.redis"));
                    loaded.PubSubs[component.Name] = new LoadedPubSub(component, pubsub);
                    break;
            }

            loaded.All.Add(component);
            log.LogInformation("Component loaded: {Component}", component.LogName);
        }

        return loaded;
    }

    private static StateKeyPrefix CreatePrefix(ComponentDefinition component, string? ns)
    {
        try
        {
            return new StateKeyPrefix(component.Name, component.GetIgnoreCase("keyPrefix"), ns);
        }
        catch (InvalidStateKeyException e)
        {
            throw new ResourceLoadException($"process component {component.Name} error: [INIT_COMPONENT_FAILURE]: initialization error occurred for {component.LogName}: {e.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pubsub in PubSubs.Values)
        {
            await pubsub.Component.DisposeAsync();
        }
    }
}
