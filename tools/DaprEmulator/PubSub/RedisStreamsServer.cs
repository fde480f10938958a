
namespace DaprEmulator.PubSub;

// The Redis server behind a pubsub.redis component, shared by every sidecar of the emulator.
// A topic is a stream (XADD with fields data and metadata); each consumer group (the consumerID
// metadata, by default the app id) reads every entry once, whichever of its consumers (the
// sidecars of that app id) takes it. The group is created with start id "0" when the first
// consumer subscribes (components-contrib pubsub/redis CreateConsumerGroup: XGroupCreateMkStream
// ... "0"), so it also reads what was published before. Entries handed to a consumer stay pending
// until acknowledged; pending entries idle for processingTimeout are claimed again by a consumer of
// the group (reclaimPendingMessages), which is what redelivers the messages of a sidecar that died.
public sealed class RedisStreamsServer(string componentName, TimeProvider time, ILogger logger)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Stream> _streams = new(StringComparer.Ordinal);
    private long _nextId;

    public string ComponentName { get; } = componentName;

    public void Append(string topic, byte[] data, IReadOnlyDictionary<string, string>? metadata)
    {
        List<Dispatch> work;
        lock (_lock)
        {
            var stream = GetStream(topic);
            stream.Entries.Add(new Entry(++_nextId, data, metadata));
            work = [.. stream.Groups.Values.SelectMany(g => Pump(stream, g))];
        }

        Run(work);
    }

    internal Consumer Join(string topic, string group, RedisStreamsClient client, PubSubHandler handler)
    {
        Consumer consumer;
        List<Dispatch> work;
        lock (_lock)
        {
            var stream = GetStream(topic);
            if (!stream.Groups.TryGetValue(group, out var g))
            {
                g = new Group(group);
                stream.Groups[group] = g;
            }

            consumer = new Consumer(this, stream, g, client, handler);
            g.Consumers.Add(consumer);
            work = Pump(stream, g);
        }

        Run(work);
        return consumer;
    }

    internal void Leave(Consumer consumer)
    {
        lock (_lock)
        {
            consumer.Active = false;
            consumer.Group.Consumers.Remove(consumer);
        }
    }

    internal void Ack(Consumer consumer, long id)
    {
        lock (_lock)
        {
            consumer.Group.Pending.Remove(id);
        }
    }

    // XPENDING + XCLAIM of the entries idle for at least processingTimeout, to this consumer.
    internal void Reclaim(Consumer consumer, TimeSpan processingTimeout)
    {
        List<Dispatch> work;
        lock (_lock)
        {
            if (!consumer.Active)
            {
                return;
            }

            var now = time.GetTimestamp();
            work = [];
            foreach (var pending in consumer.Group.Pending.Values.Where(p => time.GetElapsedTime(p.DeliveredAt, now) >= processingTimeout).ToList())
            {
                logger.LogDebug("redis streams: claiming pending message {Id} of {Topic} for group {Group}", pending.Entry.Id, consumer.Stream.Topic, consumer.Group.Name);
                pending.Owner = consumer;
                pending.DeliveredAt = now;
                work.Add(new Dispatch(consumer, pending));
            }
        }

        Run(work);
    }

    internal bool Owns(Consumer consumer, Pending pending)
    {
        lock (_lock)
        {
            return consumer.Active && ReferenceEquals(pending.Owner, consumer) && consumer.Group.Pending.ContainsKey(pending.Entry.Id);
        }
    }

    // Test hook: an entry is waiting for, or being handled by, a consumer that is up.
    public bool IsBusy
    {
        get
        {
            lock (_lock)
            {
                return _streams.Values.SelectMany(s => s.Groups.Values.Select(g => (s, g))).Any(x =>
                    (x.g.Consumers.Count > 0 && x.g.Next < x.s.Entries.Count) ||
                    x.g.Pending.Values.Any(p => p.Owner.Active));
            }
        }
    }

    private Stream GetStream(string topic)
    {
        if (!_streams.TryGetValue(topic, out var stream))
        {
            stream = new Stream(topic);
            _streams[topic] = stream;
        }

        return stream;
    }

    // XREADGROUP ">": hand the entries the group has not read yet to its consumers, in turn.
    private List<Dispatch> Pump(Stream stream, Group group)
    {
        var work = new List<Dispatch>();
        while (group.Next < stream.Entries.Count && group.Consumers.Count > 0)
        {
            var entry = stream.Entries[group.Next++];
            var consumer = group.Consumers[group.RoundRobin++ % group.Consumers.Count];
            var pending = new Pending(entry, consumer, time.GetTimestamp());
            group.Pending[entry.Id] = pending;
            work.Add(new Dispatch(consumer, pending));
        }

        return work;
    }

    private static void Run(List<Dispatch> work)
    {
        foreach (var d in work)
        {
            d.Consumer.Client.Enqueue(d.Consumer, d.Pending);
        }
    }

    internal sealed record Entry(long Id, byte[] Data, IReadOnlyDictionary<string, string>? Metadata);

    internal sealed class Pending(Entry entry, Consumer owner, long deliveredAt)
    {
        public Entry Entry { get; } = entry;

        public Consumer Owner { get; set; } = owner;

        public long DeliveredAt { get; set; } = deliveredAt;
    }

    internal sealed class Stream(string topic)
    {
        public string Topic { get; } = topic;

        public List<Entry> Entries { get; } = [];

        public Dictionary<string, Group> Groups { get; } = new(StringComparer.Ordinal);
    }

    internal sealed class Group(string name)
    {
        public string Name { get; } = name;

        public int Next { get; set; }

        public int RoundRobin { get; set; }

        public List<Consumer> Consumers { get; } = [];

        public Dictionary<long, Pending> Pending { get; } = [];
    }

    internal sealed class Consumer(RedisStreamsServer server, Stream stream, Group group, RedisStreamsClient client, PubSubHandler handler)
    {
        public RedisStreamsServer Server { get; } = server;

        public Stream Stream { get; } = stream;

        public Group Group { get; } = group;

        public RedisStreamsClient Client { get; } = client;

        public PubSubHandler Handler { get; } = handler;

        public bool Active { get; set; } = true;
    }

    private sealed record Dispatch(Consumer Consumer, Pending Pending);
}
