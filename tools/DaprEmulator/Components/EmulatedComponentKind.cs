namespace DaprEmulator.Components;

public enum EmulatedComponentKind
{
    PostgreSqlStateV1,
    PostgreSqlStateV2,
    InMemoryState,
    RedisStreamsPubSub,
    InMemoryPubSub,
}
