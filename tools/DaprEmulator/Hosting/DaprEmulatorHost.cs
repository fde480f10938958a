using DaprEmulator.Actors;
using DaprEmulator.Components;
using DaprEmulator.Faults;
using DaprEmulator.PubSub;
using DaprEmulator.Scheduler;
using DaprEmulator.State;
using DaprEmulator.Storage;

namespace DaprEmulator.Hosting;

// One emulated Dapr environment: the shared backends (PostgreSQL tables, Redis server), the actor
// runtime (placement), the scheduler (reminders) and the sidecars started in it. Also the test
// hooks the end-to-end tests use.
public sealed class DaprEmulatorHost : IAsyncDisposable
{
    private readonly EmulatorOptions _options;
    private readonly ResourceSet _resources;
    private readonly SharedBackends _backends;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private readonly List<DaprSidecar> _sidecars = [];
    private readonly ReminderScheduler _scheduler;
    private readonly SqliteDatabase? _schedulerFile;
    private readonly FaultInjector? _faults;
    private readonly Dictionary<string, int> _nextReplica = new(StringComparer.Ordinal);

    private DaprEmulatorHost(EmulatorOptions options, ResourceSet resources)
    {
        _options = options;
        _resources = resources;
        _backends = new SharedBackends(options.TimeProvider, options.LoggerFactory, options.Storage);
        _schedulerFile = options.Storage is EmulatorStorage.External { SchedulerFile: { } file } ? new SqliteDatabase(file) : null;
        _scheduler = new ReminderScheduler((_backends.Sqlite ?? _schedulerFile) is { } database ? new SqliteJobStore(database) : null);
        _log = options.LoggerFactory.CreateLogger("DaprEmulator");
        if (options.Faults is { } plan)
        {
            _faults = new FaultInjector(plan, options.TimeProvider, options.LoggerFactory.CreateLogger("DaprEmulator.Faults"));
        }

        Actors = new ActorRuntime(options.TimeProvider, options.LoggerFactory, _scheduler, _faults);
        Published = new PublishedMessageLog(options.RecordTraffic);
        Deliveries = new DeliveryLog(options.RecordTraffic);
    }

    public ActorRuntime Actors { get; }

    public PublishedMessageLog Published { get; }

    public DeliveryLog Deliveries { get; }

    // What the fault plan (EmulatorOptions.Faults) injected so far; all zero without one.
    public FaultCounts Faults => _faults?.Counts ?? FaultCounts.None;

    // Injects no more faults from now on (a chaos run does so before it checks the outcome).
    public void StopFaults() => _faults?.Stop();

    public IReadOnlyList<DaprSidecar> Sidecars
    {
        get
        {
            lock (_lock)
            {
                return [.. _sidecars];
            }
        }
    }

    // Loads and checks every resource up front: an unsupported kind, field or component type fails
    // here (unless the component sets ignoreErrors), not at first use.
    public static Task<DaprEmulatorHost> StartAsync(EmulatorOptions options, CancellationToken ct = default)
    {
        var resources = ResourceLoader.Load(options.ResourcesPaths);
        Validate(resources);
        return Task.FromResult(new DaprEmulatorHost(options, resources));
    }

    private static void Validate(ResourceSet resources)
    {
        foreach (var component in resources.Components.Where(c => !c.IgnoreErrors))
        {
            ComponentTypes.Resolve(component);
        }
    }

    public async Task<DaprSidecar> StartSidecarAsync(SidecarOptions options, CancellationToken ct = default)
    {
        var resources = _resources;
        if (options.ResourcesPaths is { } own)
        {
            resources = ResourceLoader.Load(own);
            Validate(resources);
        }

        var sidecar = await DaprSidecar.StartAsync(
            options, resources, new SidecarEnvironment(_backends, Published, Deliveries, Actors, _faults, ReplicaOf, _options.Namespace, _options.TimeProvider, _options.LoggerFactory), ct);
        lock (_lock)
        {
            _sidecars.Add(sidecar);
        }

        _log.LogInformation("sidecar for {AppId} started: HTTP {Http}, gRPC {Grpc}", options.AppId, sidecar.HttpEndpoint, sidecar.GrpcEndpoint);
        return sidecar;
    }

    // Name resolution for service invocation: the sidecars of an app id, taken in turn.
    private DaprSidecar? ReplicaOf(string appId)
    {
        lock (_lock)
        {
            var replicas = _sidecars.Where(s => s.AppId == appId && !s.IsStopped).ToList();
            if (replicas.Count == 0)
            {
                return null;
            }

            var next = _nextReplica.GetValueOrDefault(appId);
            _nextReplica[appId] = next + 1;
            return replicas[next % replicas.Count];
        }
    }

    // Test hook: every message published to a topic (CloudEvent JSON in Data), oldest first.
    public IReadOnlyList<PublishedMessage> GetPublishedMessages(string pubsubName, string topic) =>
        [.. Published.All().Where(m => m.PubSubName == pubsubName && m.Topic == topic)];

    // Test hook: hands a published message to the broker again, as a duplicate delivery would
    // (every subscribing app id receives it once more). Not recorded as a new publication.
    public Task RedeliverAsync(PublishedMessage message, CancellationToken ct = default)
    {
        var component = message.Component ?? throw new InvalidOperationException("the message has no component to redeliver it through");
        return component.PublishAsync(message.Topic, message.Data, message.Metadata, null);
    }

    // Test hook: the live raw keys of a shared (PostgreSQL) state store; in-memory stores are per
    // sidecar, see DaprSidecar.GetStateKeys.
    // (Synchronous for the tests' convenience: they block on a real database only.)
    public IReadOnlyList<string> GetStateKeys(string storeName) => SharedStore(storeName).KeysAsync().AsTask().GetAwaiter().GetResult();

    public StateEntry? ReadState(string storeName, string rawKey) => SharedStore(storeName).GetAsync(rawKey).AsTask().GetAwaiter().GetResult();

    // Test hook: true when no message is waiting for, or being handled by, a running subscriber.
    public bool IsIdle =>
        !_backends.RedisServers.Any(r => r.IsBusy) && !Sidecars.Any(s => s.IsBusy);

    public async Task WaitForIdleAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        var quiet = 0;
        while (quiet < 3)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the emulator still had messages to handle after {timeout}");
            }

            quiet = IsIdle ? quiet + 1 : 0;
            await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
        }
    }

    private IStateStore SharedStore(string storeName) =>
        _backends.SharedStateStore(storeName) ?? throw new ArgumentException($"no shared state store named {storeName} has been loaded by a sidecar");

    public async ValueTask DisposeAsync()
    {
        foreach (var sidecar in Sidecars)
        {
            await sidecar.DisposeAsync();
        }

        await Actors.DisposeAsync();
        _scheduler.Dispose();
        _schedulerFile?.Dispose();
        _backends.Dispose();
    }
}
