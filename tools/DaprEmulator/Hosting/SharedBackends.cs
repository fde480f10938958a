using System.Collections.Concurrent;
using DaprEmulator.Components;
using DaprEmulator.PubSub;
using DaprEmulator.PubSub.Streams;
using DaprEmulator.State;
using DaprEmulator.State.Sqlite;
using DaprEmulator.Storage;

namespace DaprEmulator.Hosting;

// What would live outside daprd: the PostgreSQL tables and the Redis server. One per component
// name, shared by every sidecar that loads that component. Where they keep their data is the
// EmulatorStorage: in memory, in one SQLite file, or in the real servers.
internal sealed class SharedBackends(TimeProvider time, ILoggerFactory loggers, EmulatorStorage storage) : IDisposable
{
    private readonly Lock _stateLock = new();
    private readonly Dictionary<string, (EmulatedComponentKind Kind, IStateStore Store)> _postgres = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<SharedRedisStreams>> _redis = new(StringComparer.Ordinal);

    // The file of EmulatorStorage.Sqlite, opened once: whatever writes to it shares its write lock.
    public SqliteDatabase? Sqlite { get; } = storage is EmulatorStorage.Sqlite file ? new SqliteDatabase(file.Path) : null;

    public IStateStore PostgreSql(ComponentDefinition component, EmulatedComponentKind kind)
    {
        lock (_stateLock)
        {
            if (!_postgres.TryGetValue(component.Name, out var entry))
            {
                var v2 = kind == EmulatedComponentKind.PostgreSqlStateV2;
                IStateStore store = storage is EmulatorStorage.External
                    ? ExternalPostgreSql.Open(component, v2, time)
                    : new PostgreSqlStateStore(component.Name, v2, time, Sqlite is { } database ? new SqliteStateTable(database, component.Name, time) : null);
                _postgres[component.Name] = entry = (kind, store);
            }

            return entry.Kind == kind
                ? entry.Store
                : throw new ResourceLoadException($"component '{component.Name}' is loaded with two different versions of {component.Type}; the emulator shares one table per component name");
        }
    }

    // Lazy: the first sidecar to load the component connects; the others wait for it, and share
    // its failure (an unreachable Redis fails every sidecar that loads the component).
    public SharedRedisStreams Redis(ComponentDefinition component) =>
        _redis.GetOrAdd(component.Name, name => new Lazy<SharedRedisStreams>(() => new SharedRedisStreams(
            name, OpenStreams(component), loggers.CreateLogger($"DaprEmulator.Redis[{name}]")))).Value;

    public IStateStore? SharedStateStore(string name)
    {
        lock (_stateLock)
        {
            return _postgres.TryGetValue(name, out var entry) ? entry.Store : null;
        }
    }

    public IEnumerable<SharedRedisStreams> RedisServers => _redis.Values.Where(r => r.IsValueCreated).Select(r => r.Value);

    public void Dispose()
    {
        foreach (var redis in RedisServers)
        {
            redis.Dispose();
        }

        lock (_stateLock)
        {
            foreach (var (_, store) in _postgres.Values)
            {
                (store as IDisposable)?.Dispose();
            }

            _postgres.Clear();
        }

        Sqlite?.Dispose();
    }

    private IRedisStreams OpenStreams(ComponentDefinition component) => storage switch
    {
        EmulatorStorage.Sqlite => new SqliteRedisStreams(Sqlite!, component.Name, time, loggers.CreateLogger($"DaprEmulator.Redis[{component.Name}]")),
        EmulatorStorage.External => ExternalRedisStreams.Connect(component.Metadata),
        _ => new InMemoryRedisStreams(time),
    };
}
