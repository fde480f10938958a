
namespace DaprEmulator.PubSub;

// One sidecar's pubsub.redis component (components-contrib pubsub/redis/redis.go): `concurrency`
// workers (default 10) shared by all its subscriptions, so messages are handled in parallel and
// their order is not kept. Since components-contrib 1.17 a handler error is acknowledged like a
// success (processMessage XAcks after logging "Error processing Redis message"): only Dapr's
// resiliency retries or a dead-letter topic act on a failed delivery. Only a shutdown (the
// subscription context cancelled) leaves the message pending, for another consumer to reclaim.
public sealed class RedisStreamsClient : IPubSubComponent
{
    private readonly RedisStreamsServer _server;
    private readonly string _consumerGroup;
    private readonly SemaphoreSlim _workers;
    private readonly TimeSpan _processingTimeout;
    private readonly TimeSpan _redeliverInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closed = new();
    private readonly List<Task> _running = [];
    private readonly Lock _lock = new();

    public RedisStreamsClient(RedisStreamsServer server, RedisStreamsSettings settings, TimeProvider time, ILogger logger)
    {
        _server = server;
        _consumerGroup = settings.ConsumerId;
        _workers = new SemaphoreSlim(settings.Concurrency);
        _processingTimeout = settings.ProcessingTimeout;
        _redeliverInterval = settings.RedeliverInterval;
        _time = time;
        _logger = logger;
    }

    public string Name => _server.ComponentName;

    public bool IsBusy => _server.IsBusy;

    public void Publish(string topic, byte[] data, IReadOnlyDictionary<string, string>? metadata, string? contentType)
    {
        // XADD keeps only `data` and `metadata`: the request's content type is not stored.
        ObjectDisposedException.ThrowIf(_closed.IsCancellationRequested, this);
        _server.Append(topic, data, metadata);
    }

    public IDisposable Subscribe(string topic, PubSubHandler handler)
    {
        ObjectDisposedException.ThrowIf(_closed.IsCancellationRequested, this);
        var consumer = _server.Join(topic, _consumerGroup, this, handler);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token);
        if (_processingTimeout > TimeSpan.Zero && _redeliverInterval > TimeSpan.Zero)
        {
            Track(Task.Run(() => ReclaimLoopAsync(consumer, stop.Token)));
        }

        return new Subscription(() =>
        {
            stop.Cancel();
            stop.Dispose();
            _server.Leave(consumer);
        });
    }

    internal void Enqueue(RedisStreamsServer.Consumer consumer, RedisStreamsServer.Pending pending) =>
        Track(Task.Run(() => ProcessAsync(consumer, pending)));

    private async Task ProcessAsync(RedisStreamsServer.Consumer consumer, RedisStreamsServer.Pending pending)
    {
        var ct = _closed.Token;
        try
        {
            await _workers.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            if (!_server.Owns(consumer, pending))
            {
                return;
            }

            var entry = pending.Entry;
            var message = new PubSubMessage(consumer.Stream.Topic, entry.Data, entry.Metadata ?? new Dictionary<string, string>(), null);
            try
            {
                await consumer.Handler(message, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                _logger.LogError("Error processing Redis message {MessageId}: {Error}", $"{entry.Id}-0", e.Message);
            }

            if (!ct.IsCancellationRequested)
            {
                _server.Ack(consumer, entry.Id);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            _workers.Release();
        }
    }

    private async Task ReclaimLoopAsync(RedisStreamsServer.Consumer consumer, CancellationToken ct)
    {
        try
        {
            _server.Reclaim(consumer, _processingTimeout);
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(_redeliverInterval, _time, ct);
                _server.Reclaim(consumer, _processingTimeout);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Track(Task task)
    {
        lock (_lock)
        {
            _running.RemoveAll(t => t.IsCompleted);
            _running.Add(task);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _closed.CancelAsync();
        Task[] running;
        lock (_lock)
        {
            running = [.. _running];
        }

        await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _closed.Dispose();
        _workers.Dispose();
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                dispose();
            }
        }
    }
}
