using DaprEmulator.Actors;
using DaprEmulator.Api;
using DaprEmulator.Components;
using DaprEmulator.Outbox;
using DaprEmulator.PubSub;
using DaprEmulator.Resiliency;

namespace DaprEmulator.Hosting;

// One emulated daprd: the Dapr HTTP API (HTTP/1.1) and gRPC API (h2c) on 127.0.0.1, the components
// its app id loads, and the app channel. Once the app port accepts connections it reads the app's
// subscriptions, starts consuming the outbox topics and registers the app's actors.
public sealed partial class DaprSidecar : IAsyncDisposable, ISidecarMetadataSource
{
    private readonly SidecarOptions _options;
    private readonly SidecarComponents _components;
    private readonly SidecarContext _context;
    private readonly ResiliencyPolicies _resiliency;
    private readonly DeliveryLog _deliveries;
    private readonly ActorRuntime _actors;
    private readonly SidecarEnvironment _environment;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<IDisposable> _subscriptions = [];
    private readonly List<BulkCollector> _bulkCollectors = [];
    private readonly Lock _lock = new();
    private WebApplication? _web;
    private HttpClient? _app;
    private Task _appWatcher = Task.CompletedTask;
    private volatile IReadOnlyList<SubscriptionSpec> _subscriptionSpecs = [];
    private volatile bool _appReady;
    private volatile bool _actorHostRegistered;

    private DaprSidecar(SidecarOptions options, SidecarComponents components, ResourceSet resources, SidecarEnvironment environment)
    {
        var (time, loggers, ns) = (environment.Time, environment.Loggers, environment.Namespace);
        _options = options;
        _components = components;
        _environment = environment;
        _deliveries = environment.Deliveries;
        _actors = environment.Actors;
        _time = time;
        _loggers = loggers;
        _log = loggers.CreateLogger($"Dapr[{options.AppId}].runtime");
        _resiliency = new ResiliencyPolicies(resources.Resiliencies, options.AppId);
        var publisher = new PubSubPublisher(options.AppId, name => components.PubSubs.GetValueOrDefault(name)?.Component, environment.Published, time);
        var outbox = new TransactionalOutbox(
            options.AppId, ns, components.Outboxes, publisher, name => components.StateStores.GetValueOrDefault(name)?.Store, time,
            loggers.CreateLogger($"Dapr[{options.AppId}].outbox"));
        _context = new SidecarContext(options.AppId, components, publisher, outbox, time, environment.Faults);
    }

    public string AppId => _options.AppId;

    public int? AppPort => _options.AppPort is > 0 ? _options.AppPort : null;

    public int HttpPort { get; private set; }

    public int GrpcPort { get; private set; }

    public string HttpEndpoint => $"http://127.0.0.1:{HttpPort}";

    public string GrpcEndpoint => $"http://127.0.0.1:{GrpcPort}";

    // True once the app port accepted a connection and the subscriptions were read.
    public bool IsAppReady => _appReady;

    public IReadOnlyList<SubscriptionSpec> Subscriptions => _subscriptionSpecs;

    // Set when the app's subscriptions could not be loaded (e.g. an unsupported CEL expression).
    public Exception? SubscriptionError { get; private set; }

    public IReadOnlyList<string> ComponentNames => [.. _components.All.Select(c => c.Name)];

    internal SidecarComponents Components => _components;

    internal static async Task<DaprSidecar> StartAsync(SidecarOptions options, ResourceSet resources, SidecarEnvironment environment, CancellationToken ct)
    {
        var log = environment.Loggers.CreateLogger($"Dapr[{options.AppId}].runtime");
        var components = SidecarComponents.Load(
            resources.Components, options.AppId, environment.Namespace, environment.Backends, environment.Time, environment.Loggers, log);
        var sidecar = new DaprSidecar(options, components, resources, environment);
        try
        {
            await sidecar.StartWebAsync(ct);
        }
        catch
        {
            await sidecar.DisposeAsync();
            throw;
        }

        sidecar._appWatcher = Task.Run(() => sidecar.WatchAppAsync(sidecar._stopping.Token), CancellationToken.None);
        return sidecar;
    }

    // Test hook: the live raw keys of a state store as this sidecar sees it (in-memory stores are per sidecar).
    public IReadOnlyList<string> GetStateKeys(string storeName) =>
        _components.StateStores.GetValueOrDefault(storeName)?.Store.KeysAsync().AsTask().GetAwaiter().GetResult() ?? throw new ArgumentException($"state store {storeName} is not loaded by {AppId}");

    public State.StateEntry? ReadState(string storeName, string rawKey) =>
        (_components.StateStores.GetValueOrDefault(storeName) ?? throw new ArgumentException($"state store {storeName} is not loaded by {AppId}")).Store.GetAsync(rawKey).AsTask().GetAwaiter().GetResult();

    internal IReadOnlyList<BulkCollector> BulkCollectors
    {
        get
        {
            lock (_lock)
            {
                return [.. _bulkCollectors];
            }
        }
    }

    internal bool IsBusy => _components.PubSubs.Values.Any(p => p.Component.IsBusy);

    internal bool IsStopped => _stopping.IsCancellationRequested;

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        await _appWatcher.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_lock)
        {
            foreach (var s in _subscriptions)
            {
                s.Dispose();
            }

            _subscriptions.Clear();
        }

        // After the component subscriptions: the messages waiting in a batch see their context cancelled first, and stay pending.
        foreach (var collector in BulkCollectors)
        {
            await collector.DisposeAsync();
        }

        if (AppPort is { } port)
        {
            _actors.UnregisterHost(new Uri($"http://127.0.0.1:{port}/"));
        }

        await _components.DisposeAsync();
        if (_web is not null)
        {
            await _web.StopAsync(CancellationToken.None);
            await _web.DisposeAsync();
        }

        _app?.Dispose();
        _stopping.Dispose();
        _log.LogInformation("sidecar {AppId} stopped", AppId);
    }
}
