using System.Net;
using DaprEmulator.Scheduler;

namespace DaprEmulator.Actors;

// The actor runtime of the emulator: one per emulator process, shared by all its sidecars, so it
// plays both daprd's actor runtime and the placement service; reminders are jobs of the
// ReminderScheduler it is given, which plays the Scheduler service. Apps register through their
// sidecar; calls from any sidecar reach the host that owns the actor id, one at a time per actor;
// reminders, timers and idle deactivation run on the injected TimeProvider, each from a priority
// queue, so that a wake of the loop costs what is due, not what is pending.
public sealed partial class ActorRuntime : IAsyncDisposable
{
    // daprd's built-in DaprBuiltInActorNotFoundRetries policy: constant 1 s, 5 retries.
    private static readonly TimeSpan NoAddressRetryInterval = TimeSpan.FromSeconds(1);
    private const int NoAddressRetries = 5;

    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly HttpClient http;
    private readonly Lock gate = new();
    private readonly List<ActorHost> hosts = [];
    private readonly Dictionary<(string Type, string Id), ActorSlot> slots = [];
    private readonly Dictionary<(string Type, string Id), Dictionary<string, ActorTimer>> timers = [];
    private readonly PriorityQueue<ActorTimer, DateTimeOffset> timerQueue = new();
    private readonly PriorityQueue<ActorSlot, DateTimeOffset> idleQueue = new();
    private readonly ReminderScheduler scheduler;
    private readonly List<ReminderJob> dueJobs = [];
    private readonly HashSet<Task> background = [];
    private readonly CancellationTokenSource stopping = new();
    private readonly SemaphoreSlim wake = new(0);
    private readonly Task loop;
    private Dictionary<string, HashRing<ActorHost>> rings = new(StringComparer.Ordinal);
    private long kicks;
    private long kicksDispatched;
    private DateTimeOffset? waitingUntil;
    private long dispatches;
    private long entriesExamined;

    public ActorRuntime(TimeProvider timeProvider, ILoggerFactory loggerFactory, ReminderScheduler reminderScheduler)
        : this(timeProvider, loggerFactory, reminderScheduler, null)
    {
    }

    internal ActorRuntime(TimeProvider timeProvider, ILoggerFactory loggerFactory, ReminderScheduler reminderScheduler, Faults.FaultInjector? faults)
    {
        time = timeProvider;
        scheduler = reminderScheduler;
        logger = loggerFactory.CreateLogger("DaprEmulator.Actors");
        HttpMessageHandler handler = new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) };
        http = new HttpClient(faults?.AppChannel(handler) ?? handler)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        loop = Task.Run(RunLoopAsync);
    }

    public Task RegisterHostAsync(string appId, Uri appBaseAddress, IActorStateStorage? storage, CancellationToken ct) =>
        RegisterHostAsync(appId, appBaseAddress, null, storage, ct);

    public async Task RegisterHostAsync(string appId, Uri appBaseAddress, string? appApiToken, IActorStateStorage? storage, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(stopping.IsCancellationRequested, this);
        var config = await ReadAppConfigAsync(appId, appBaseAddress.AbsoluteUri.TrimEnd('/'), appApiToken, ct);
        if (config.ReentrancyEnabled)
        {
            logger.LogError("App {AppId} enables actor reentrancy: actor reentrancy is not supported by the emulator", appId);
            throw new NotSupportedException("actor reentrancy is not supported by the emulator");
        }

        if (config.RemindersStoragePartitions is > 0)
        {
            // daprd's warning (pkg/runtime/runtime.go): with the Scheduler the setting has no effect.
            logger.LogWarning(
                "App {AppId}: remindersStoragePartitions is deprecated and will be removed in future versions; reminders are Scheduler jobs, which ignore it",
                appId);
        }

        var idleByType = config.IdleTimeoutByType;
        if (idleByType.Count > 0 && storage is null)
        {
            logger.LogError(
                "App {AppId} hosts actor types {ActorTypes} but has no actor state store: Actor state store not configured - actor hosting disabled until one is configured, but invocation enabled. "
                + "Set metadata actorStateStore: \"true\" on one state store component of the app.",
                appId, string.Join(", ", idleByType.Keys));
            idleByType = new Dictionary<string, TimeSpan>();
        }

        var host = new ActorHost(appId, appBaseAddress, appApiToken, storage, idleByType);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(stopping.IsCancellationRequested, this);

            // The same app again (restarted without the sidecar noticing): the old one is gone.
            if (hosts.Find(h => h.Address == host.Address) is { } previous)
            {
                RemoveHostLocked(previous);
            }

            hosts.Add(host);
            RebuildRingsLocked();
            foreach (var actorType in idleByType.Keys)
            {
                scheduler.Connect(appId, actorType);
            }

            // Actors whose id now belongs to the new host are deactivated where they were
            // (daprd's drainRebalancedActors) and activated again there on their next call.
            foreach (var slot in slots.Values)
            {
                if (slot.ActiveOn is { } current && Owner(slot.ActorType, slot.ActorId) != current)
                {
                    slot.Users++;
                    StartLocked(() => RebalanceAsync(slot));
                }
            }
        }

        if (idleByType.Count > 0)
        {
            logger.LogInformation("Registering hosted actors: {ActorTypes} ({Host})", string.Join(", ", idleByType.Keys), host);
        }

        Kick();
    }

    public void UnregisterHost(Uri appBaseAddress)
    {
        var address = appBaseAddress.AbsoluteUri.TrimEnd('/');
        lock (gate)
        {
            if (hosts.Find(h => h.Address == address) is { } host)
            {
                RemoveHostLocked(host);
                logger.LogInformation("Actor host {Host} unregistered", host);
            }
        }

        Kick();
    }

    public async ValueTask DisposeAsync()
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        await stopping.CancelAsync();

        // As when daprd stops: its hosts leave the placement and the Scheduler stops sending it
        // jobs; reminders stay with the scheduler.
        lock (gate)
        {
            foreach (var host in hosts.ToList())
            {
                RemoveHostLocked(host);
            }
        }

        while (true)
        {
            Task[] running;
            lock (gate)
            {
                running = [loop, .. background];
            }

            if (running.All(t => t.IsCompleted))
            {
                break;
            }

            try
            {
                await Task.WhenAll(running);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Actor runtime work failed while stopping");
            }
            catch (OperationCanceledException)
            {
            }
        }

        http.Dispose();
    }

    // For the metadata API: the actor types the app id hosts, with how many of their actors are
    // active on its hosts.
    public IReadOnlyDictionary<string, int> ActiveActorCounts(string appId)
    {
        lock (gate)
        {
            var counts = hosts.Where(h => h.AppId == appId)
                .SelectMany(h => h.IdleTimeoutByType.Keys)
                .Distinct(StringComparer.Ordinal)
                .ToDictionary(t => t, _ => 0, StringComparer.Ordinal);
            foreach (var slot in slots.Values)
            {
                if (slot.ActiveOn?.AppId == appId)
                {
                    counts[slot.ActorType] = counts.GetValueOrDefault(slot.ActorType) + 1;
                }
            }

            return counts;
        }
    }

    internal bool IsClosed => stopping.IsCancellationRequested;

    private void RemoveHostLocked(ActorHost host)
    {
        hosts.Remove(host);
        RebuildRingsLocked();

        foreach (var actorType in host.IdleTimeoutByType.Keys)
        {
            scheduler.Disconnect(host.AppId, actorType);
        }

        // The host is gone: its actors are lost with it, there is nobody to send DELETE to.
        foreach (var slot in slots.Values.Where(s => s.ActiveOn == host).ToList())
        {
            slot.ActiveOn = null;
            RemoveTimersLocked(slot.ActorType, slot.ActorId);
            if (slot.Users == 0)
            {
                slots.Remove((slot.ActorType, slot.ActorId));
            }
        }
    }

    private void RebuildRingsLocked()
    {
        rings = hosts
            .SelectMany(h => h.IdleTimeoutByType.Keys.Select(t => (Type: t, Host: h)))
            .GroupBy(x => x.Type, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => new HashRing<ActorHost>(g.Select(x => (x.Host.Address, x.Host))),
                StringComparer.Ordinal);
    }

    private ActorHost? Owner(string actorType, string actorId) =>
        rings.TryGetValue(actorType, out var ring) ? ring.Lookup(actorId) : null;

    private IActorStateStorage? StorageOf(string appId)
    {
        lock (gate)
        {
            return hosts.Find(h => h.AppId == appId && h.Storage is not null)?.Storage;
        }
    }

    private bool HostsType(string appId, string actorType)
    {
        lock (gate)
        {
            return hosts.Exists(h => h.AppId == appId && h.Hosts(actorType));
        }
    }

    private async Task<ActorAppConfig> ReadAppConfigAsync(string appId, string appAddress, string? appApiToken, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(appAddress + "/dapr/config"));
        AddAppToken(request, appApiToken);
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return ActorAppConfig.Empty;
        }

        if (!response.IsSuccessStatusCode)
        {
            logger.LogWarning("App {AppId} answered {Status} on GET /dapr/config: no actors hosted", appId, (int)response.StatusCode);
            return ActorAppConfig.Empty;
        }

        var body = await response.Content.ReadAsStringAsync(ct);
        return string.IsNullOrWhiteSpace(body)
            ? ActorAppConfig.Empty
            : ActorAppConfig.Parse(body, warning => logger.LogWarning("App {AppId}: {Warning}", appId, warning));
    }

    // --- the slot of an actor id ---

    private ActorSlot AcquireSlotLocked(string actorType, string actorId)
    {
        if (!slots.TryGetValue((actorType, actorId), out var slot))
        {
            slot = new ActorSlot(actorType, actorId);
            slots.Add((actorType, actorId), slot);
        }

        slot.Users++;
        return slot;
    }

    private void ReleaseSlot(ActorSlot slot)
    {
        lock (gate)
        {
            slot.Users--;
            if (slot.Users == 0 && slot.ActiveOn is null
                && slots.TryGetValue((slot.ActorType, slot.ActorId), out var current) && current == slot)
            {
                slots.Remove((slot.ActorType, slot.ActorId));
            }
        }
    }

    // --- the loop that fires reminders and timers and deactivates idle actors ---

    // Test hook: true when the loop has handled every Kick(), nothing it started is still
    // running and nothing is due before the time it waits for; what is due has been dispatched.
    internal bool IsSettled
    {
        get
        {
            lock (gate)
            {
                return background.Count == 0
                    && Interlocked.Read(ref kicks) == kicksDispatched
                    && (waitingUntil is not { } until || until > time.GetUtcNow());
            }
        }
    }

    // Test hook: how many times the loop dispatched, and how many queue entries it looked at.
    internal (long Dispatches, long EntriesExamined) DispatchCounts
    {
        get
        {
            lock (gate)
            {
                return (dispatches, entriesExamined);
            }
        }
    }

    private void Kick()
    {
        Interlocked.Increment(ref kicks);
        if (wake.CurrentCount == 0)
        {
            wake.Release();
        }
    }

    private void StartLocked(Func<Task> work)
    {
        var task = Task.Run(work);
        background.Add(task);
        _ = task.ContinueWith(
            t =>
            {
                lock (gate)
                {
                    background.Remove(t);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task RunLoopAsync()
    {
        var ct = stopping.Token;
        while (!ct.IsCancellationRequested)
        {
            DateTimeOffset? next;
            lock (gate)
            {
                kicksDispatched = Interlocked.Read(ref kicks);
                next = DispatchDueWorkLocked();
                waitingUntil = next;
            }

            try
            {
                await WaitAsync(next, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    // Waits on the TimeProvider (a FakeTimeProvider in tests) until the next deadline, or until
    // Kick() says that the deadlines changed.
    private async Task WaitAsync(DateTimeOffset? until, CancellationToken ct)
    {
        using var waitCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var kicked = wake.WaitAsync(waitCts.Token);
        if (until is not { } deadline)
        {
            await kicked;
            return;
        }

        var due = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var delay = deadline - time.GetUtcNow();
        using (time.CreateTimer(_ => due.TrySetResult(), null, delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan))
        {
            // Time may have been moved on between reading it and creating the timer.
            if (time.GetUtcNow() >= deadline)
            {
                due.TrySetResult();
            }

            await Task.WhenAny(kicked, due.Task);
        }

        await waitCts.CancelAsync();
        try
        {
            await kicked;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
    }

    // Takes what is due off the three queues (reminder jobs, timers, idle actors) and returns
    // when the earliest entry left is due.
    private DateTimeOffset? DispatchDueWorkLocked()
    {
        var now = time.GetUtcNow();
        var examined = 0;
        DateTimeOffset? next = null;
        void Consider(DateTimeOffset? at)
        {
            if (at is { } a && (next is not { } n || a < n))
            {
                next = a;
            }
        }

        dueJobs.Clear();
        Consider(scheduler.TakeDue(now, dueJobs, ref examined));
        foreach (var job in dueJobs)
        {
            StartLocked(() => FireReminderAsync(job));
        }

        dueJobs.Clear();
        Consider(DispatchTimersLocked(now, ref examined));
        Consider(DispatchIdleLocked(now, ref examined));
        dispatches++;
        entriesExamined += examined;
        return next;
    }
}
