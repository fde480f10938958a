using System.Text.Json;
using System.Threading.Channels;
using DaprEmulator.PubSub.Streams;

namespace DaprEmulator.PubSub;

// One sidecar's pubsub.redis component (components-contrib pubsub/redis/redis.go): a queue of
// `queueDepth` messages (default 100) and `concurrency` workers (default 10) shared by all its
// subscriptions (the app's and the outbox's), so messages are handled in parallel and their order is
// not kept. Per subscription, a poll loop reads up to queueDepth new entries at a time and waits for
// room in the queue before reading more, and a reclaim loop claims entries left pending for
// processingTimeout every redeliverInterval: what a sidecar has read and not finished is bounded
// (queueDepth per loop waiting for the queue, queueDepth in it, concurrency being handled) however
// long the stream. Since components-contrib 1.17 a handler error is acknowledged like a success
// (processMessage XAcks after logging "Error processing Redis message"): only Dapr's resiliency
// retries or a dead-letter topic act on a failed delivery. Only a shutdown (the subscription context
// cancelled) or a handler that failed after processingTimeout leaves the message pending, for a
// consumer of the group to reclaim.
public sealed class RedisStreamsClient : IPubSubComponent
{
    private static readonly TimeSpan ErrorBackoff = TimeSpan.FromSeconds(1);
    private readonly SharedRedisStreams _server;
    private readonly RedisStreamsSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Work> _queue;
    private readonly Task[] _workers;
    private readonly CancellationTokenSource _closed = new();
    private readonly List<Subscription> _subscriptions = [];
    private readonly List<Task> _loops = [];
    private readonly Lock _lock = new();
    private int _unfinished;
    private int _maxUnfinished;

    public RedisStreamsClient(SharedRedisStreams server, RedisStreamsSettings settings, TimeProvider time, ILogger logger)
    {
        _server = server;
        _settings = settings;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<Work>(settings.QueueDepth);
        _workers = [.. Enumerable.Range(0, settings.Concurrency).Select(_ => Task.Run(WorkAsync))];
    }

    public string Name => _server.ComponentName;

    public bool IsBusy => _server.IsBusy;

    // Test hooks: entries this sidecar has read (XREADGROUP or XCLAIM) and not yet acknowledged or
    // given up on, now and at most so far.
    internal int Unfinished => Volatile.Read(ref _unfinished);

    internal int MaxUnfinished => Volatile.Read(ref _maxUnfinished);

    // Test hook: entries of the topic read by this sidecar's consumer group and not acknowledged.
    internal Task<int> PendingAsync(string topic) => _server.PendingCountAsync(topic, _settings.ConsumerId);

    public async Task PublishAsync(string topic, byte[] data, IReadOnlyDictionary<string, string>? metadata, string? contentType)
    {
        // XADD keeps only `data` and `metadata` (the metadata map as JSON, when there is one): the
        // request's content type is not stored.
        ObjectDisposedException.ThrowIf(_closed.IsCancellationRequested, this);
        try
        {
            await _server.AppendAsync(topic, data, metadata is null ? null : JsonSerializer.Serialize(metadata), _settings.MaxLenApprox);
        }
        catch (RedisStreamsException e)
        {
            throw new PubSubPublishException($"redis streams: error from publish: {e.Message}", e);
        }
    }

    public IDisposable Subscribe(string topic, PubSubHandler handler)
    {
        ObjectDisposedException.ThrowIf(_closed.IsCancellationRequested, this);
        var subscription = new Subscription(_server, _server.Join(topic, _settings.ConsumerId), handler, CancellationTokenSource.CreateLinkedTokenSource(_closed.Token));
        lock (_lock)
        {
            _subscriptions.Add(subscription);
            _loops.Add(Task.Run(() => PollAsync(subscription)));

            // A zero processingTimeout or redeliverInterval disables redelivery.
            if (_settings.ProcessingTimeout > TimeSpan.Zero && _settings.RedeliverInterval > TimeSpan.Zero)
            {
                _loops.Add(Task.Run(() => ReclaimAsync(subscription)));
            }
        }

        return subscription;
    }

    // pollNewMessagesLoop. A failed read is logged and tried again; a group gone from the server
    // (NOGROUP: data loss, or someone deleted it) is created again.
    private async Task PollAsync(Subscription subscription)
    {
        var ct = subscription.Token;
        var reader = subscription.Reader;
        try
        {
            while (true)
            {
                IReadOnlyList<StreamEntry> entries;
                try
                {
                    entries = await _server.ReadGroupAsync(reader, _settings.ConsumerId, _settings.QueueDepth, ct);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    _logger.LogError("redis streams: error reading from stream {Topic}: {Error}", reader.Topic, e.Message);
                    if (e.Message.Contains("NOGROUP", StringComparison.Ordinal))
                    {
                        RecreateGroup(reader);
                    }

                    await Task.Delay(ErrorBackoff, _time, ct);
                    continue;
                }

                await EnqueueAsync(subscription, entries, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private void RecreateGroup(SharedRedisStreams.Reader reader)
    {
        _logger.LogWarning("redis streams: recreating group {Group} for stream {Topic}", reader.Group, reader.Topic);
        try
        {
            _server.CreateGroup(reader);
        }
        catch (Exception e)
        {
            _logger.LogError("redis streams: {Error}", e.Message);
        }
    }

    // reclaimPendingMessagesLoop: once at start, then every redeliverInterval. A failed round is
    // logged and left for the next.
    private async Task ReclaimAsync(Subscription subscription)
    {
        var ct = subscription.Token;
        try
        {
            while (true)
            {
                try
                {
                    IReadOnlyList<StreamEntry> claimed;
                    while ((claimed = await _server.ClaimIdleAsync(subscription.Reader, _settings.ConsumerId, _settings.QueueDepth, _settings.ProcessingTimeout, ct)).Count > 0)
                    {
                        await EnqueueAsync(subscription, claimed, ct);
                    }
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    _logger.LogError("error retrieving pending Redis messages: {Error}", e.Message);
                }

                await Task.Delay(_settings.RedeliverInterval, _time, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    // enqueueMessages: blocks while the queue is full. Entries not queued when the subscription stops
    // stay pending.
    private async Task EnqueueAsync(Subscription subscription, IReadOnlyList<StreamEntry> entries, CancellationToken ct)
    {
        var max = Interlocked.Add(ref _unfinished, entries.Count);
        for (var seen = Volatile.Read(ref _maxUnfinished); max > seen; seen = Volatile.Read(ref _maxUnfinished))
        {
            Interlocked.CompareExchange(ref _maxUnfinished, max, seen);
        }

        for (var i = 0; i < entries.Count; i++)
        {
            try
            {
                await _queue.Writer.WriteAsync(new Work(subscription, entries[i]), ct);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Add(ref _unfinished, -(entries.Count - i));
                throw;
            }
        }
    }

    private async Task WorkAsync()
    {
        try
        {
            // ReadAsync hands each message to one waiting worker; WaitToReadAsync (and ReadAllAsync)
            // would wake every idle worker for every message, thousands with a large concurrency.
            while (true)
            {
                await ProcessAsync(await _queue.Reader.ReadAsync(_closed.Token));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // processMessage. contrib also hands a message of a stopped subscription to its handler, with the
    // cancelled context, and leaves it pending when the handler fails; skipping the call is the same.
    // With processingTimeout and redeliverInterval both set, contrib runs the handler under
    // context.WithTimeout(processingTimeout) and, when the handler fails with that context done
    // (shutdown or timeout), skips the XACK: the entry stays pending until a reclaim hands it out
    // again. The deadline does not cut the handler short here, because daprd does not let it: the
    // subscription handler (pkg/runtime/subscription/subscription.go) runs its resiliency chain
    // under resiliency.NewRunner(context.Background(), ...) and the default bulk subscriber
    // (pkg/runtime/pubsub/default_bulksub.go) waits for its batch ignoring the context; the
    // deadline decides only between XACK and pending once the handler has failed.
    private async Task ProcessAsync(Work work)
    {
        var ct = work.Subscription.Token;
        var entry = work.Entry;
        try
        {
            if (ct.IsCancellationRequested)
            {
                return;
            }

            var message = new PubSubMessage(work.Subscription.Reader.Topic, entry.Data, Metadata(entry), null);
            var started = _time.GetTimestamp();
            try
            {
                await work.Subscription.Handler(message, ct);
            }
            catch (Exception e)
            {
                _logger.LogError("Error processing Redis message {MessageId}: {Error}", entry.Id, e.Message);
                if (ct.IsCancellationRequested || PastProcessingTimeout(started))
                {
                    return;
                }
            }

            try
            {
                await _server.AckAsync(work.Subscription.Reader, entry.Id);
            }
            catch (Exception e)
            {
                _logger.LogError("Error acknowledging Redis message {MessageId}: {Error}", entry.Id, e.Message);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _unfinished);
        }
    }

    private Dictionary<string, string> Metadata(StreamEntry entry)
    {
        try
        {
            return entry.Metadata is null ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(entry.Metadata) ?? [];
        }
        catch (JsonException e)
        {
            _logger.LogWarning("Redis PubSub: Could not extract metadata for Redis message {MessageId}: {Error}", entry.Id, e.Message);
            return [];
        }
    }

    private bool PastProcessingTimeout(long started) =>
        _settings.ProcessingTimeout > TimeSpan.Zero && _settings.RedeliverInterval > TimeSpan.Zero
        && _time.GetElapsedTime(started) >= _settings.ProcessingTimeout;

    // Close: no new reads, the handlers in progress see their context cancelled; what was read and
    // not finished stays pending.
    public async ValueTask DisposeAsync()
    {
        if (_closed.IsCancellationRequested)
        {
            return;
        }

        await _closed.CancelAsync();
        Task[] running;
        lock (_lock)
        {
            running = [.. _loops, .. _workers];
        }

        await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        while (_queue.Reader.TryRead(out _))
        {
            Interlocked.Decrement(ref _unfinished);
        }

        lock (_lock)
        {
            foreach (var s in _subscriptions)
            {
                s.Dispose();
                s.Release();
            }
        }

        _closed.Dispose();
    }

    private sealed record Work(Subscription Subscription, StreamEntry Entry);

    private sealed class Subscription(SharedRedisStreams server, SharedRedisStreams.Reader reader, PubSubHandler handler, CancellationTokenSource stop) : IDisposable
    {
        private int _disposed;

        public SharedRedisStreams.Reader Reader { get; } = reader;

        public PubSubHandler Handler { get; } = handler;

        public CancellationToken Token { get; } = stop.Token;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                stop.Cancel();
                server.Leave(Reader);
            }
        }

        // The token source outlives Dispose: queued work still reads its token.
        public void Release() => stop.Dispose();
    }
}
