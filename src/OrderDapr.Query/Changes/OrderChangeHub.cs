using OrderDapr.Query.ReadModel;

namespace OrderDapr.Query.Changes;

public enum ChangesReceived
{
    // Its views were handed on (those that were news).
    Delivered,

    // Committed before this process started: the consumer group of a new replica starts at the
    // beginning of the stream, and what it finds there is history.
    BeforeStart,

    // It holds no views of the generation readers see (published before a switch this replica
    // knows of, or only for a generation being built).
    OtherGeneration,
}

// Where the change feed arrives in a replica: every committed order view, whichever replica
// projected it. A view that is news (OrderViewCache.Announce: newer than any seen, and not
// delivered before) goes to the read cache, then to the watchers of its order and of its
// customer — subscriptions and reads waiting for a version. Views of one generation only: the
// one readers see, or a newer one seen in the feed; older generations are ignored, so a switch
// never mixes them. Deliveries are handed on one batch at a time, so that every watcher sees an
// order's versions in increasing order; watchers must therefore not block (they queue).
public sealed class OrderChangeHub(Generations generations, OrderViewCache cache, TimeProvider time, ILogger<OrderChangeHub> logger)
{
    private readonly DateTimeOffset startedAt = time.GetUtcNow();
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<Action<OrderView>>> byOrder = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Action<OrderView>>> byCustomer = new(StringComparer.Ordinal);
    private int generation;
    private int watching;

    // Watchers registered now (subscriptions and waiting reads).
    public int Watching => Volatile.Read(ref watching);

    public async Task<ChangesReceived> ReceiveAsync(OrderChanges changes, CancellationToken cancellationToken)
    {
        if (changes.CommittedAt < startedAt)
        {
            return ChangesReceived.BeforeStart;
        }

        var current = (await generations.GetAsync(cancellationToken)).Current;
        lock (gate)
        {
            generation = Math.Max(generation, current);
            if (changes.Generations.FirstOrDefault(g => g.Generation == generation) is not { } section)
            {
                return ChangesReceived.OtherGeneration;
            }

            foreach (var view in section.Orders)
            {
                if (cache.Announce(generation, view))
                {
                    Notify(byOrder, view.Id, view);
                    Notify(byCustomer, view.CustomerId!, view);
                }
            }

            return ChangesReceived.Delivered;
        }
    }

    // Every new version of the order, from now on.
    public IObservable<OrderView> OrderChanges(string orderId) => new Watch(this, byOrder, orderId);

    // Every new version of every order of the customer, from now on.
    public IObservable<OrderView> CustomerChanges(string customerId) => new Watch(this, byCustomer, customerId);

    // Completes with the order's view once a version of at least minVersion arrives. Register
    // before reading the store, so that a version committed in between is not missed.
    public VersionWait WaitFor(string orderId, int minVersion)
    {
        var reached = new TaskCompletionSource<OrderView>(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = Register(byOrder, orderId, view =>
        {
            if (view.Version >= minVersion)
            {
                reached.TrySetResult(view);
            }
        });
        return new VersionWait(reached.Task, registration);
    }

    private void Notify(Dictionary<string, List<Action<OrderView>>> index, string key, OrderView view)
    {
        if (index.TryGetValue(key, out var watchers))
        {
            // A copy: a watcher may leave while it is told.
            foreach (var watcher in watchers.ToArray())
            {
                try
                {
                    watcher(view);
                }
                catch (Exception ex)
                {
                    // One broken watcher must not keep the change from the others.
                    logger.LogError(ex, "A watcher of order {OrderId} failed to take its change", view.Id);
                }
            }
        }
    }

    private IDisposable Register(Dictionary<string, List<Action<OrderView>>> index, string key, Action<OrderView> watcher)
    {
        lock (gate)
        {
            if (!index.TryGetValue(key, out var watchers))
            {
                index[key] = watchers = [];
            }

            watchers.Add(watcher);
            watching++;
        }

        return new Registration(this, index, key, watcher);
    }

    private void Unregister(Dictionary<string, List<Action<OrderView>>> index, string key, Action<OrderView> watcher)
    {
        lock (gate)
        {
            if (index.TryGetValue(key, out var watchers) && watchers.Remove(watcher))
            {
                watching--;
                if (watchers.Count == 0)
                {
                    index.Remove(key);
                }
            }
        }
    }

    private sealed class Registration(OrderChangeHub hub, Dictionary<string, List<Action<OrderView>>> index, string key, Action<OrderView> watcher) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                hub.Unregister(index, key, watcher);
            }
        }
    }

    private sealed class Watch(OrderChangeHub hub, Dictionary<string, List<Action<OrderView>>> index, string key) : IObservable<OrderView>
    {
        public IDisposable Subscribe(IObserver<OrderView> observer) => hub.Register(index, key, observer.OnNext);
    }
}

// A read waiting for a version: Reached completes when it arrives. Dispose when done waiting.
public sealed class VersionWait(Task<OrderView> reached, IDisposable registration) : IDisposable
{
    public Task<OrderView> Reached { get; } = reached;

    public void Dispose() => registration.Dispose();
}
