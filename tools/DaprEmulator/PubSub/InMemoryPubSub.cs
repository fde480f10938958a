using System.Threading.Channels;

namespace DaprEmulator.PubSub;

// pubsub.in-memory (components-contrib pubsub/in-memory): an event bus inside one daprd process, so
// only subscriptions of the same sidecar receive what it publishes; a message published while nobody
// subscribes is lost; each subscription handles its messages one at a time, in order
// (SubscribeAsync(..., transactional=true)); a handler error is only logged.
public sealed class InMemoryPubSub(string name, ILogger logger) : IPubSubComponent
{
    private readonly Lock _lock = new();
    private readonly List<Subscription> _subscriptions = [];
    private readonly CancellationTokenSource _closed = new();

    public string Name { get; } = name;

    public bool IsBusy
    {
        get
        {
            lock (_lock)
            {
                return _subscriptions.Any(s => s.Busy > 0);
            }
        }
    }

    public Task PublishAsync(string topic, byte[] data, IReadOnlyDictionary<string, string>? metadata, string? contentType)
    {
        ObjectDisposedException.ThrowIf(_closed.IsCancellationRequested, this);
        var message = new PubSubMessage(topic, data, metadata ?? new Dictionary<string, string>(), null);
        lock (_lock)
        {
            foreach (var s in _subscriptions.Where(s => s.Topic == topic))
            {
                Interlocked.Increment(ref s.Busy);
                s.Queue.Writer.TryWrite(message);
            }
        }

        return Task.CompletedTask;
    }

    public IDisposable Subscribe(string topic, PubSubHandler handler)
    {
        var subscription = new Subscription(this, topic, handler);
        lock (_lock)
        {
            _subscriptions.Add(subscription);
        }

        subscription.Loop = Task.Run(() => subscription.RunAsync(_closed.Token));
        return subscription;
    }

    public async ValueTask DisposeAsync()
    {
        await _closed.CancelAsync();
        List<Subscription> all;
        lock (_lock)
        {
            all = [.. _subscriptions];
        }

        foreach (var s in all)
        {
            s.Dispose();
            await s.Loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _closed.Dispose();
    }

    private sealed class Subscription(InMemoryPubSub bus, string topic, PubSubHandler handler) : IDisposable
    {
        public int Busy;

        public string Topic { get; } = topic;

        public Channel<PubSubMessage> Queue { get; } = Channel.CreateUnbounded<PubSubMessage>();

        public Task Loop { get; set; } = Task.CompletedTask;

        public async Task RunAsync(CancellationToken ct)
        {
            try
            {
                await foreach (var message in Queue.Reader.ReadAllAsync(ct))
                {
                    try
                    {
                        await handler(message, ct);
                    }
                    catch (Exception e) when (!ct.IsCancellationRequested)
                    {
                        bus.LogHandlerError(e);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref Busy);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        public void Dispose()
        {
            lock (bus._lock)
            {
                bus._subscriptions.Remove(this);
            }

            Queue.Writer.TryComplete();
            Interlocked.Exchange(ref Busy, 0);
        }
    }

    private void LogHandlerError(Exception e) => logger.LogError("{Error}", e.Message);
}
