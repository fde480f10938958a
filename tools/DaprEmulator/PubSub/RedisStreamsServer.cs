namespace DaprEmulator.PubSub;

// The Redis server behind a pubsub.redis component, shared by every sidecar of the emulator, reduced
// to the stream commands components-contrib pubsub/redis/redis.go sends. A topic is a stream (XADD
// with fields data and metadata); each consumer group (the consumerID metadata, by default the app
// id) reads every entry once, whichever of its sidecars reads it. The group is created with start id
// "0" (CreateConsumerGroup: XGroupCreateMkStream ... "0"), so it also reads what was published
// before. Entries read stay pending until acknowledged; pending entries idle for processingTimeout
// are claimed again (reclaimPendingMessages), which is what redelivers the messages of a sidecar
// that stopped before finishing them.
public sealed class RedisStreamsServer(string componentName, TimeProvider time, ILogger logger)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Stream> _streams = new(StringComparer.Ordinal);

    public string ComponentName { get; } = componentName;

    // XADD topic MAXLEN ~ maxLenApprox * data .. metadata .. (no MAXLEN when maxLenApprox <= 0, as
    // go-redis omits it). "~" lets Redis keep more than maxLenApprox entries (it only drops whole
    // macro nodes); the emulator trims to exactly maxLenApprox, the fewest a real server keeps.
    public void Append(string topic, byte[] data, IReadOnlyDictionary<string, string>? metadata, long maxLenApprox)
    {
        TaskCompletionSource arrived;
        lock (_lock)
        {
            var stream = GetStream(topic);
            stream.Add(data, metadata);
            if (maxLenApprox > 0)
            {
                stream.TrimTo(maxLenApprox);
            }

            arrived = stream.Arrived;
            stream.Arrived = NewSignal();
        }

        arrived.TrySetResult();
    }

    // XGROUP CREATE topic group 0 MKSTREAM; an existing group (BUSYGROUP) is kept as it is.
    internal void CreateGroup(string topic, string group)
    {
        lock (_lock)
        {
            var stream = GetStream(topic);
            if (!stream.Groups.ContainsKey(group))
            {
                stream.Groups[group] = new Group(group);
            }
        }
    }

    // One sidecar's subscription reading for a group. Redis does not tell them apart (contrib reads
    // with the consumer name = consumerID); the emulator does, to know whether a pending entry is
    // being handled by a sidecar that is still up (IsBusy).
    internal Reader Join(string topic, string group)
    {
        lock (_lock)
        {
            var stream = GetStream(topic);
            var reader = new Reader(stream, stream.Groups[group]);
            reader.Group.Readers.Add(reader);
            return reader;
        }
    }

    internal void Leave(Reader reader)
    {
        lock (_lock)
        {
            reader.Active = false;
            reader.Group.Readers.Remove(reader);
        }
    }

    // XREADGROUP GROUP group consumer COUNT count BLOCK .. STREAMS topic ">": the entries after the
    // group's last delivered id (entries trimmed meanwhile are skipped), waiting until there is one.
    internal async Task<IReadOnlyList<Entry>> ReadGroupAsync(Reader reader, int count, CancellationToken ct)
    {
        while (true)
        {
            Task arrived;
            lock (_lock)
            {
                var entries = reader.Stream.After(reader.Group.LastDeliveredId, count);
                if (entries.Count > 0)
                {
                    var now = time.GetTimestamp();
                    foreach (var entry in entries)
                    {
                        reader.Group.Pending[entry.Id] = new Pending(entry, reader, now);
                    }

                    reader.Group.LastDeliveredId = entries[^1].Id;
                    return entries;
                }

                arrived = reader.Stream.Arrived.Task;
            }

            await arrived.WaitAsync(ct);
        }
    }

    // XACK topic group id
    internal void Ack(Reader reader, long id)
    {
        lock (_lock)
        {
            reader.Group.Pending.Remove(id);
        }
    }

    // One round of reclaimPendingMessages: XPENDING topic group - + COUNT count, then XCLAIM to this
    // reader of those idle for at least minIdle. A pending entry no longer in the stream (trimmed by
    // MAXLEN) is not returned by XCLAIM and is acknowledged instead
    // (removeMessagesThatNoLongerExistFromPending). Empty when nothing is idle.
    internal IReadOnlyList<Entry> ClaimIdle(Reader reader, int count, TimeSpan minIdle)
    {
        lock (_lock)
        {
            var group = reader.Group;
            while (reader.Active)
            {
                var now = time.GetTimestamp();
                var idle = group.Pending.Values.Take(count).Where(p => time.GetElapsedTime(p.DeliveredAt, now) >= minIdle).ToList();
                if (idle.Count == 0)
                {
                    break;
                }

                var claimed = new List<Entry>();
                foreach (var pending in idle)
                {
                    if (reader.Stream.Contains(pending.Entry.Id))
                    {
                        logger.LogDebug("redis streams: claiming pending message {Id} of {Topic} for group {Group}", pending.Entry.Id, reader.Stream.Topic, group.Name);
                        pending.Reader = reader;
                        pending.DeliveredAt = now;
                        claimed.Add(pending.Entry);
                    }
                    else
                    {
                        group.Pending.Remove(pending.Entry.Id);
                    }
                }

                if (claimed.Count > 0)
                {
                    return claimed;
                }
            }

            return [];
        }
    }

    internal int PendingCount(string topic, string group)
    {
        lock (_lock)
        {
            return _streams.TryGetValue(topic, out var stream) && stream.Groups.TryGetValue(group, out var g) ? g.Pending.Count : 0;
        }
    }

    // Test hook: an entry is waiting for, or being handled by, a subscription that is up.
    public bool IsBusy
    {
        get
        {
            lock (_lock)
            {
                return _streams.Values.SelectMany(s => s.Groups.Values.Select(g => (s, g))).Any(x =>
                    (x.g.Readers.Count > 0 && x.s.HasAfter(x.g.LastDeliveredId)) ||
                    x.g.Pending.Values.Any(p => p.Reader.Active));
            }
        }
    }

    private Stream GetStream(string topic)
    {
        if (!_streams.TryGetValue(topic, out var stream))
        {
            stream = new Stream(topic, NewSignal());
            _streams[topic] = stream;
        }

        return stream;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // An entry id is its position in the stream (1, 2, ...), standing for Redis' "<ms>-<seq>".
    internal sealed record Entry(long Id, byte[] Data, IReadOnlyDictionary<string, string>? Metadata);

    internal sealed class Pending(Entry entry, Reader reader, long deliveredAt)
    {
        public Entry Entry { get; } = entry;

        public Reader Reader { get; set; } = reader;

        public long DeliveredAt { get; set; } = deliveredAt;
    }

    // The live entries are _entries[_head..]; trimmed ones are dropped from the front in batches.
    internal sealed class Stream(string topic, TaskCompletionSource arrived)
    {
        private readonly List<Entry> _entries = [];
        private int _head;
        private long _lastId;

        public string Topic { get; } = topic;

        public Dictionary<string, Group> Groups { get; } = new(StringComparer.Ordinal);

        // Completed, and replaced, by every XADD: what blocked readers wait for.
        public TaskCompletionSource Arrived { get; set; } = arrived;

        private long FirstId => _entries.Count > _head ? _entries[_head].Id : _lastId + 1;

        public void Add(byte[] data, IReadOnlyDictionary<string, string>? metadata) => _entries.Add(new Entry(++_lastId, data, metadata));

        public void TrimTo(long maxLength)
        {
            while (_entries.Count - _head > maxLength)
            {
                _entries[_head++] = null!;
            }

            if (_head > 1024 && _head > _entries.Count / 2)
            {
                _entries.RemoveRange(0, _head);
                _head = 0;
            }
        }

        public bool Contains(long id) => id >= FirstId && id <= _lastId;

        public bool HasAfter(long id) => _lastId > id;

        public List<Entry> After(long id, int count)
        {
            var from = Math.Max(id + 1, FirstId);
            var result = new List<Entry>((int)Math.Min(count, Math.Max(0, _lastId - from + 1)));
            for (var next = from; next <= _lastId && result.Count < count; next++)
            {
                result.Add(_entries[_head + (int)(next - FirstId)]);
            }

            return result;
        }
    }

    internal sealed class Group(string name)
    {
        public string Name { get; } = name;

        public long LastDeliveredId { get; set; }

        // The pending entries list, in id order as XPENDING returns it.
        public SortedDictionary<long, Pending> Pending { get; } = [];

        public List<Reader> Readers { get; } = [];
    }

    internal sealed class Reader(Stream stream, Group group)
    {
        public Stream Stream { get; } = stream;

        public Group Group { get; } = group;

        public bool Active { get; set; } = true;
    }
}
