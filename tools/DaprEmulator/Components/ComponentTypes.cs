namespace DaprEmulator.Components;

// Maps a component's type/version to what the emulator emulates, with daprd's registry rules:
// names are lower-cased, postgresql defaults to v1 when no version is given (cmd/daprd/components/
// state_postgres.go: Default "v1"), single-version components accept "", "v0" and "v1"
// (pkg/components/versioning.go IsInitialVersion).
public static class ComponentTypes
{
    public const string Emulated = "state.postgresql (v1, v2), state.in-memory, pubsub.redis, pubsub.in-memory";

    public static EmulatedComponentKind Resolve(ComponentDefinition component)
    {
        var type = component.Type.ToLowerInvariant();
        var version = component.Version.ToLowerInvariant();
        var initial = version is "" or "v0" or "v1";
        EmulatedComponentKind? kind = type switch
        {
            "state.postgresql" or "state.postgres" => version switch
            {
                "" or "v1" => EmulatedComponentKind.PostgreSqlStateV1,
                "v2" => EmulatedComponentKind.PostgreSqlStateV2,
                _ => null,
            },
            "state.in-memory" when initial => EmulatedComponentKind.InMemoryState,
            "pubsub.redis" when initial => EmulatedComponentKind.RedisStreamsPubSub,
            "pubsub.in-memory" when initial => EmulatedComponentKind.InMemoryPubSub,
            _ => null,
        };
        return kind ?? throw new ResourceLoadException(UnknownTypeMessage(component));
    }

    // The text daprd logs before it exits: runtime.go initComponentBlocking wraps the registry error
    // ("couldn't find state store state.foo/v1", pkg/components/state/registry.go) in
    // rterrors.NewInit(CreateComponentFailure, comp.LogName(), err).
    public static string UnknownTypeMessage(ComponentDefinition component)
    {
        var registryError = component.Category switch
        {
            "state" => $"couldn't find state store {component.Type}/{component.Version}",
            "pubsub" => $"couldn't find message bus {component.Type}/{component.Version}",
            "bindings" => $"couldn't find output binding {component.Type}/{component.Version}",
            "secretstores" => $"couldn't find secret store {component.Type}/{component.Version}",
            "configuration" => $"couldn't find configuration store {component.Type}/{component.Version}",
            "lock" => $"couldn't find lock store {component.Type}/{component.Version}",
            "crypto" => $"couldn't find crypto provider {component.Type}/{component.Version}",
            "conversation" => $"couldn't find conversation {component.Type}/{component.Version}",
            "nameresolution" => $"couldn't find name resolver {component.Type}/{component.Version}",
            _ => $"incorrect type {component.Type}",
        };
        return $"process component {component.Name} error: [CREATE_COMPONENT_FAILURE]: initialization error occurred for {component.LogName}: {registryError} " +
            $"({component.Source}; the emulator emulates only {Emulated})";
    }
}
