using System.Collections.Concurrent;
using DaprEmulator.Components;
using DaprEmulator.PubSub;
using DaprEmulator.State;

namespace DaprEmulator.Hosting;

// What would live outside daprd: the PostgreSQL tables and the Redis server. One per component
// name, shared by every sidecar that loads that component.
internal sealed class SharedBackends(TimeProvider time, ILoggerFactory loggers)
{
    private readonly ConcurrentDictionary<string, (EmulatedComponentKind Kind, PostgreSqlStateStore Store)> _postgres = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RedisStreamsServer> _redis = new(StringComparer.Ordinal);

    public PostgreSqlStateStore PostgreSql(ComponentDefinition component, EmulatedComponentKind kind)
    {
        var entry = _postgres.GetOrAdd(component.Name, _ => (kind, new PostgreSqlStateStore(component.Name, kind == EmulatedComponentKind.PostgreSqlStateV2, time)));
        return entry.Kind == kind
            ? entry.Store
            : throw new ResourceLoadException($"component '{component.Name}' is loaded with two different versions of {component.Type}; the emulator shares one table per component name");
    }

    public RedisStreamsServer Redis(ComponentDefinition component) =>
        _redis.GetOrAdd(component.Name, name => new RedisStreamsServer(name, time, loggers.CreateLogger($"DaprEmulator.Redis[{name}]")));

    public IStateStore? SharedStateStore(string name) => _postgres.TryGetValue(name, out var entry) ? entry.Store : null;

    public IEnumerable<RedisStreamsServer> RedisServers => _redis.Values;
}
