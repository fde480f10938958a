using System.Collections.Concurrent;
using DaprEmulator.Components;
using DaprEmulator.PubSub;
using DaprEmulator.PubSub.Streams;
using DaprEmulator.State;

namespace DaprEmulator.Hosting;

// What would live outside daprd: the PostgreSQL tables and the Redis server. One per component
// name, shared by every sidecar that loads that component.
internal sealed class SharedBackends(TimeProvider time, ILoggerFactory loggers, EmulatorStorage storage) : IDisposable
{
    private readonly ConcurrentDictionary<string, (EmulatedComponentKind Kind, PostgreSqlStateStore Store)> _postgres = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<SharedRedisStreams>> _redis = new(StringComparer.Ordinal);
    private readonly Lazy<SqliteFile>? _sqlite = storage is EmulatorStorage.Sqlite file ? new(() => new SqliteFile(file.Path)) : null;

    public PostgreSqlStateStore PostgreSql(ComponentDefinition component, EmulatedComponentKind kind)
    {
        var entry = _postgres.GetOrAdd(component.Name, _ => (kind, new PostgreSqlStateStore(component.Name, kind == EmulatedComponentKind.PostgreSqlStateV2, time)));
        return entry.Kind == kind
            ? entry.Store
            : throw new ResourceLoadException($"component '{component.Name}' is loaded with two different versions of {component.Type}; the emulator shares one table per component name");
    }

    // Lazy: the first sidecar to load the component connects; the others wait for it, and share
    // its failure (an unreachable Redis fails every sidecar that loads the component).
    public SharedRedisStreams Redis(ComponentDefinition component) =>
        _redis.GetOrAdd(component.Name, name => new Lazy<SharedRedisStreams>(() => new SharedRedisStreams(
            name, OpenStreams(component), loggers.CreateLogger($"DaprEmulator.Redis[{name}]")))).Value;

    public IStateStore? SharedStateStore(string name) => _postgres.TryGetValue(name, out var entry) ? entry.Store : null;

    public IEnumerable<SharedRedisStreams> RedisServers => _redis.Values.Where(r => r.IsValueCreated).Select(r => r.Value);

    public void Dispose()
    {
        foreach (var redis in RedisServers)
        {
            redis.Dispose();
        }
    }

    private IRedisStreams OpenStreams(ComponentDefinition component) => storage switch
    {
        EmulatorStorage.Sqlite => new SqliteRedisStreams(_sqlite!.Value, component.Name, time, loggers.CreateLogger($"DaprEmulator.Redis[{component.Name}]")),
        EmulatorStorage.External => ExternalRedisStreams.Connect(component.Metadata),
        _ => new InMemoryRedisStreams(time),
    };
}
