using DaprEmulator.Api;
using DaprEmulator.PubSub;
using DaprEmulator.State;

namespace DaprEmulator.Faults;

// Draws and counts the faults of a FaultPlan for one emulator host. The hooks are the only fault
// code: a host without a plan has no injector, and nothing of this runs.
internal sealed class FaultInjector
{
    private static readonly TimeSpan MinReorderDelay = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan MaxReorderDelay = TimeSpan.FromMilliseconds(500);

    private readonly FaultPlan _plan;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Random _random;
    private readonly Lock _lock = new();
    private long _duplicated;
    private long _delayed;
    private long _stateFailed;
    private long _publishFailed;
    private long _appFailed;
    private volatile bool _stopped;

    public FaultInjector(FaultPlan plan, TimeProvider time, ILogger log)
    {
        Check(plan.DuplicateDelivery, nameof(plan.DuplicateDelivery));
        Check(plan.ReorderDelivery, nameof(plan.ReorderDelivery));
        Check(plan.TransientFailure, nameof(plan.TransientFailure));
        _plan = plan;
        _time = time;
        _log = log;
        _random = new Random(plan.Seed);
    }

    public FaultCounts Counts => new(
        Interlocked.Read(ref _duplicated), Interlocked.Read(ref _delayed), Interlocked.Read(ref _stateFailed),
        Interlocked.Read(ref _publishFailed), Interlocked.Read(ref _appFailed));

    // Drawn before a state store call: the error of an unreachable store, which StateApi wraps as
    // daprd wraps any store error (ERR_STATE_GET, ERR_STATE_SAVE, ERR_STATE_TRANSACTION, ...).
    public StateStoreException? StateCallFailure(string storeName)
    {
        if (!Draw(_plan.TransientFailure))
        {
            return null;
        }

        Interlocked.Increment(ref _stateFailed);
        _log.LogDebug("fault: state call to {Store} fails", storeName);
        return new StateStoreException("failed to connect to the state store: dial tcp 127.0.0.1:5432: connect: connection refused");
    }

    // Drawn before a message of the publish API reaches the broker: daprd's PublishMessage error
    // around the component's (contrib pubsub/redis Publish: "redis streams: error from publish: ...").
    public DaprApiException? PublishFailure(string pubsub, string topic)
    {
        if (!Draw(_plan.TransientFailure))
        {
            return null;
        }

        Interlocked.Increment(ref _publishFailed);
        _log.LogDebug("fault: publish to {PubSub}/{Topic} fails", pubsub, topic);
        return DaprErrors.PublishFailed(pubsub, topic, "redis streams: error from publish: dial tcp 127.0.0.1:6379: connect: connection refused");
    }

    public HttpMessageHandler AppChannel(HttpMessageHandler inner) => new AppChannelFaults(this, inner);

    // Wraps the handler an app subscription registers on its pub/sub component.
    public PubSubHandler Subscription(PubSubHandler handler) => async (message, ct) =>
    {
        if (Draw(_plan.ReorderDelivery))
        {
            Interlocked.Increment(ref _delayed);
            await Task.Delay(ReorderDelay(), _time, ct);
        }

        if (!Draw(_plan.DuplicateDelivery))
        {
            await handler(message, ct);
            return;
        }

        try
        {
            await handler(message, ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            await RedeliverAsync(handler, message, ct);
            throw;
        }

        await RedeliverAsync(handler, message, ct);
    };

    internal bool FailAppCall(HttpRequestMessage request)
    {
        if (!Draw(_plan.TransientFailure))
        {
            return false;
        }

        Interlocked.Increment(ref _appFailed);
        _log.LogDebug("fault: app call {Method} {Uri} refused", request.Method, request.RequestUri);
        return true;
    }

    // The second delivery stands alone: its outcome is the subscription's to record, not the first one's.
    private async Task RedeliverAsync(PubSubHandler handler, PubSubMessage message, CancellationToken ct)
    {
        Interlocked.Increment(ref _duplicated);
        try
        {
            await handler(message, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            _log.LogDebug("fault: the duplicate delivery failed: {Error}", e.Message);
        }
    }

    private TimeSpan ReorderDelay()
    {
        lock (_lock)
        {
            return MinReorderDelay + ((MaxReorderDelay - MinReorderDelay) * _random.NextDouble());
        }
    }

    // Ends the injection, e.g. before a chaos run checks what the system made of it.
    public void Stop() => _stopped = true;

    private bool Draw(double probability)
    {
        if (probability <= 0 || _stopped)
        {
            return false;
        }

        lock (_lock)
        {
            return _random.NextDouble() < probability;
        }
    }

    private static void Check(double probability, string name)
    {
        if (double.IsNaN(probability) || probability is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(name, probability, "a fault probability is between 0 and 1");
        }
    }
}
