using DaprEmulator.PubSub.Streams;

namespace DaprEmulator.PubSub;

// The Redis server behind a pubsub.redis component, shared by every sidecar of the emulator that
// loads it: the streams (IRedisStreams: in memory, in SQLite or a real Redis) and what the emulator
// adds around them. Readers blocked for new entries are woken by XADD (an XREADGROUP BLOCK). Each
// subscription of a sidecar reads for its consumer group through a Reader; Redis does not tell them
// apart (contrib reads with the consumer name = consumerID), the emulator does, to know whether an
// entry is waiting for, or being handled by, a sidecar that is up (the IsBusy test hook).
public sealed class SharedRedisStreams(string componentName, IRedisStreams streams, ILogger logger) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TaskCompletionSource> _arrivals = new(StringComparer.Ordinal);
    private readonly List<Reader> _readers = [];
    private readonly Dictionary<(string Topic, string Group, StreamId Id), Reader> _held = [];

    public string ComponentName { get; } = componentName;

    public async Task AppendAsync(string topic, byte[] data, string? metadata, long maxLenApprox)
    {
        await streams.AddAsync(topic, data, metadata, maxLenApprox);
        TaskCompletionSource? arrived;
        lock (_lock)
        {
            _arrivals.Remove(topic, out arrived);
        }

        arrived?.TrySetResult();
    }

    internal Reader Join(string topic, string group)
    {
        streams.CreateGroup(topic, group);
        var reader = new Reader(topic, group);
        lock (_lock)
        {
            _readers.Add(reader);
        }

        return reader;
    }

    // XGROUP CREATE again, for a group gone from the server.
    internal void CreateGroup(Reader reader) => streams.CreateGroup(reader.Topic, reader.Group);

    // The reader's entries not acknowledged stay pending, for a consumer of the group to claim.
    internal void Leave(Reader reader)
    {
        lock (_lock)
        {
            _readers.Remove(reader);
            foreach (var key in _held.Where(h => h.Value == reader).Select(h => h.Key).ToList())
            {
                _held.Remove(key);
            }
        }
    }

    // XREADGROUP GROUP group consumer COUNT count BLOCK .. STREAMS topic ">": waits until there is one.
    internal async Task<IReadOnlyList<StreamEntry>> ReadGroupAsync(Reader reader, string consumer, int count, CancellationToken ct)
    {
        while (true)
        {
            var arrived = Arrival(reader.Topic);
            var entries = await TrackAsync(reader, () => streams.ReadGroupAsync(reader.Topic, reader.Group, consumer, count, ct));
            if (entries.Count > 0)
            {
                return entries;
            }

            if (streams.PollInterval is { } poll)
            {
                await Task.WhenAny(arrived, Task.Delay(poll, ct));
                ct.ThrowIfCancellationRequested();
            }
            else
            {
                await arrived.WaitAsync(ct);
            }
        }
    }

    // One round of reclaimPendingMessages: XPENDING topic group - + COUNT count, then XCLAIM of those
    // idle for at least minIdle; again while every idle one was gone from the stream (XCLAIM drops
    // them from the pending list). Empty when nothing is idle.
    internal async Task<IReadOnlyList<StreamEntry>> ClaimIdleAsync(Reader reader, string consumer, int count, TimeSpan minIdle, CancellationToken ct)
    {
        while (true)
        {
            var pending = await streams.PendingAsync(reader.Topic, reader.Group, count, ct);
            var idle = pending.Where(p => p.Idle >= minIdle).Select(p => p.Id).ToList();
            if (idle.Count == 0)
            {
                return [];
            }

            var claimed = await TrackAsync(reader, () => streams.ClaimAsync(reader.Topic, reader.Group, consumer, minIdle, idle, ct));
            foreach (var entry in claimed)
            {
                logger.LogDebug("redis streams: claimed pending message {Id} of {Topic} for group {Group}", entry.Id, reader.Topic, reader.Group);
            }

            if (claimed.Count > 0)
            {
                return claimed;
            }
        }
    }

    // XACK topic group id
    internal async Task AckAsync(Reader reader, StreamId id)
    {
        await streams.AckAsync(reader.Topic, reader.Group, id, CancellationToken.None);
        lock (_lock)
        {
            _held.Remove((reader.Topic, reader.Group, id));
        }
    }

    // Test hook: entries of the topic read by the group and not acknowledged.
    internal async Task<int> PendingCountAsync(string topic, string group) =>
        (await streams.PendingAsync(topic, group, int.MaxValue, CancellationToken.None)).Count;

    // Test hook: an entry is waiting for, or being handled by, a subscription that is up.
    public bool IsBusy
    {
        get
        {
            List<(string Topic, string Group)> reading;
            lock (_lock)
            {
                if (_held.Count > 0 || _readers.Any(r => r.InFlight > 0))
                {
                    return true;
                }

                reading = [.. _readers.Select(r => (r.Topic, r.Group)).Distinct()];
            }

            return reading.Any(r => streams.HasUndelivered(r.Topic, r.Group));
        }
    }

    public void Dispose() => streams.Dispose();

    private Task Arrival(string topic)
    {
        lock (_lock)
        {
            if (!_arrivals.TryGetValue(topic, out var arrival))
            {
                arrival = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _arrivals[topic] = arrival;
            }

            return arrival.Task;
        }
    }

    // Runs a read or claim, the entries it returns then held by the reader until acknowledged; busy
    // meanwhile, so that an entry is never seen neither waiting nor held.
    private async Task<IReadOnlyList<StreamEntry>> TrackAsync(Reader reader, Func<Task<IReadOnlyList<StreamEntry>>> read)
    {
        Interlocked.Increment(ref reader.InFlight);
        try
        {
            var entries = await read();
            lock (_lock)
            {
                if (_readers.Contains(reader))
                {
                    foreach (var entry in entries)
                    {
                        _held[(reader.Topic, reader.Group, entry.Id)] = reader;
                    }
                }
            }

            return entries;
        }
        finally
        {
            Interlocked.Decrement(ref reader.InFlight);
        }
    }

    internal sealed class Reader(string topic, string group)
    {
        public int InFlight;

        public string Topic { get; } = topic;

        public string Group { get; } = group;
    }
}
