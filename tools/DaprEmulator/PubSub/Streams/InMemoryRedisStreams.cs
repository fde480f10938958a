namespace DaprEmulator.PubSub.Streams;

// The streams in the emulator's memory: gone when it stops. XADD MAXLEN ~ trims to exactly
// maxLenApprox, the fewest entries a real server keeps ("~" lets Redis keep more: it only drops
// whole macro nodes).
public sealed class InMemoryRedisStreams(TimeProvider time) : IRedisStreams
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Stream> _streams = new(StringComparer.Ordinal);

    public TimeSpan? PollInterval => null;

    public Task AddAsync(string stream, byte[] data, string? metadata, long maxLenApprox)
    {
        lock (_lock)
        {
            var s = GetStream(stream);
            s.Add(new StreamEntry(StreamId.Next(s.LastId, NowMs()), data, metadata));
            if (maxLenApprox > 0)
            {
                s.TrimTo(maxLenApprox);
            }
        }

        return Task.CompletedTask;
    }

    public void CreateGroup(string stream, string group)
    {
        lock (_lock)
        {
            GetStream(stream).Groups.TryAdd(group, new Group());
        }
    }

    public Task<IReadOnlyList<StreamEntry>> ReadGroupAsync(string stream, string group, string consumer, int count, CancellationToken ct)
    {
        lock (_lock)
        {
            var (s, g) = Find(stream, group, "XREADGROUP");
            var entries = s.After(g.LastDelivered, count);
            var now = NowMs();
            foreach (var entry in entries)
            {
                g.Pending[entry.Id] = new Pending(consumer, now, 1);
            }

            if (entries.Count > 0)
            {
                g.LastDelivered = entries[^1].Id;
            }

            return Task.FromResult<IReadOnlyList<StreamEntry>>(entries);
        }
    }

    public Task AckAsync(string stream, string group, StreamId id, CancellationToken ct)
    {
        lock (_lock)
        {
            if (_streams.TryGetValue(stream, out var s) && s.Groups.TryGetValue(group, out var g))
            {
                g.Pending.Remove(id);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PendingEntry>> PendingAsync(string stream, string group, int count, CancellationToken ct)
    {
        lock (_lock)
        {
            var (_, g) = Find(stream, group, "XPENDING");
            var now = NowMs();
            return Task.FromResult<IReadOnlyList<PendingEntry>>(
                [.. g.Pending.Take(count).Select(p => new PendingEntry(p.Key, p.Value.Consumer, Idle(p.Value, now), p.Value.DeliveryCount))]);
        }
    }

    public Task<IReadOnlyList<StreamEntry>> ClaimAsync(
        string stream, string group, string consumer, TimeSpan minIdle, IReadOnlyList<StreamId> ids, CancellationToken ct)
    {
        lock (_lock)
        {
            var (s, g) = Find(stream, group, "XCLAIM");
            var now = NowMs();
            var claimed = new List<StreamEntry>();
            foreach (var id in ids)
            {
                if (!g.Pending.TryGetValue(id, out var pending) || Idle(pending, now) < minIdle)
                {
                    continue;
                }

                if (s.Get(id) is not { } entry)
                {
                    g.Pending.Remove(id);
                    continue;
                }

                g.Pending[id] = new Pending(consumer, now, pending.DeliveryCount + 1);
                claimed.Add(entry);
            }

            return Task.FromResult<IReadOnlyList<StreamEntry>>(claimed);
        }
    }

    public bool HasUndelivered(string stream, string group)
    {
        lock (_lock)
        {
            return _streams.TryGetValue(stream, out var s) && s.Groups.TryGetValue(group, out var g) && s.LastId > g.LastDelivered && s.Length > 0;
        }
    }

    public void Dispose()
    {
    }

    private long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static TimeSpan Idle(Pending pending, long nowMs) => TimeSpan.FromMilliseconds(Math.Max(0, nowMs - pending.DeliveredAtMs));

    private Stream GetStream(string stream)
    {
        if (!_streams.TryGetValue(stream, out var s))
        {
            s = new Stream();
            _streams[stream] = s;
        }

        return s;
    }

    private (Stream Stream, Group Group) Find(string stream, string group, string command) =>
        _streams.TryGetValue(stream, out var s) && s.Groups.TryGetValue(group, out var g)
            ? (s, g)
            : throw new RedisStreamsException($"NOGROUP No such key '{stream}' or consumer group '{group}' in {command}");

    private sealed record Pending(string Consumer, long DeliveredAtMs, long DeliveryCount);

    private sealed class Group
    {
        public StreamId LastDelivered { get; set; } = StreamId.Zero;

        // The pending entries list, in id order as XPENDING returns it.
        public SortedDictionary<StreamId, Pending> Pending { get; } = [];
    }

    // The live entries are _entries[_head..], in id order; trimmed ones are dropped from the front
    // in batches.
    private sealed class Stream
    {
        private readonly List<StreamEntry> _entries = [];
        private int _head;

        public Dictionary<string, Group> Groups { get; } = new(StringComparer.Ordinal);

        public StreamId LastId { get; private set; } = StreamId.Zero;

        public int Length => _entries.Count - _head;

        public void Add(StreamEntry entry)
        {
            _entries.Add(entry);
            LastId = entry.Id;
        }

        public void TrimTo(long maxLength)
        {
            while (Length > maxLength)
            {
                _entries[_head++] = null!;
            }

            if (_head > 1024 && _head > _entries.Count / 2)
            {
                _entries.RemoveRange(0, _head);
                _head = 0;
            }
        }

        public StreamEntry? Get(StreamId id)
        {
            var at = FirstAfter(id, inclusive: true);
            return at < _entries.Count && _entries[at].Id == id ? _entries[at] : null;
        }

        public List<StreamEntry> After(StreamId id, int count)
        {
            var from = FirstAfter(id, inclusive: false);
            return _entries.GetRange(from, Math.Min(count, _entries.Count - from));
        }

        // The index of the first live entry with an id above (or, inclusive, at least) id.
        private int FirstAfter(StreamId id, bool inclusive)
        {
            int lo = _head, hi = _entries.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                var c = _entries[mid].Id.CompareTo(id);
                if (c > 0 || (inclusive && c == 0))
                {
                    hi = mid;
                }
                else
                {
                    lo = mid + 1;
                }
            }

            return lo;
        }
    }
}
