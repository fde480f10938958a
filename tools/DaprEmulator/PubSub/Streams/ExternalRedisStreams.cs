using DaprEmulator.Components;
using StackExchange.Redis;

namespace DaprEmulator.PubSub.Streams;

// The streams in the real Redis server a pubsub.redis component names (EmulatorStorage.External),
// in components-contrib's layout: a stream per topic, fields data and metadata, the consumer group
// and consumer named by consumerID; so a daprd could take over the same Redis. StackExchange.Redis
// multiplexes one connection and has no blocking reads (XREADGROUP BLOCK): readers are woken by the
// emulator's own XADDs and look again every PollInterval for entries others added.
public sealed class ExternalRedisStreams : IRedisStreams
{
    private readonly ConnectionMultiplexer _redis;
    private readonly IDatabase _db;

    private ExternalRedisStreams(ConnectionMultiplexer redis)
    {
        _redis = redis;
        _db = redis.GetDatabase();
    }

    public TimeSpan? PollInterval => TimeSpan.FromMilliseconds(100);

    // Init pings the server: a component whose Redis cannot be reached fails to load.
    public static ExternalRedisStreams Connect(IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var options = RedisConnectionSettings.From(metadata);
        try
        {
            var redis = ConnectionMultiplexer.Connect(options);
            redis.GetDatabase().Ping();
            return new ExternalRedisStreams(redis);
        }
        catch (RedisException e)
        {
            throw new ResourceLoadException($"redis streams: error connecting to redis at {options.EndPoints.First()}: {e.Message}", e);
        }
    }

    // Completes with Redis' answer, so that a failed XADD fails the publish as it does in daprd.
    public async Task AddAsync(string stream, byte[] data, string? metadata, long maxLenApprox)
    {
        NameValueEntry[] fields = metadata is null ? [new("data", data)] : [new("data", data), new("metadata", metadata)];
        try
        {
            await _db.StreamAddAsync(stream, fields, maxLength: maxLenApprox > 0 ? maxLenApprox : null, useApproximateMaxLength: true);
        }
        catch (RedisException e)
        {
            throw new RedisStreamsException(e.Message);
        }
    }

    public void CreateGroup(string stream, string group)
    {
        try
        {
            _db.StreamCreateConsumerGroup(stream, group, "0", createStream: true);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
        }
    }

    public async Task<IReadOnlyList<StreamEntry>> ReadGroupAsync(string stream, string group, string consumer, int count, CancellationToken ct) =>
        ToEntries(await _db.StreamReadGroupAsync(stream, group, consumer, StreamPosition.NewMessages, count).WaitAsync(ct));

    public Task AckAsync(string stream, string group, StreamId id, CancellationToken ct) =>
        _db.StreamAcknowledgeAsync(stream, group, id.ToString()).WaitAsync(ct);

    public async Task<IReadOnlyList<PendingEntry>> PendingAsync(string stream, string group, int count, CancellationToken ct)
    {
        var pending = await _db.StreamPendingMessagesAsync(stream, group, count, RedisValue.Null, "-", "+").WaitAsync(ct);
        return [.. pending.Select(p => new PendingEntry(
            StreamId.Parse(p.MessageId.ToString()), p.ConsumerName.ToString(), TimeSpan.FromMilliseconds(p.IdleTimeInMilliseconds), p.DeliveryCount))];
    }

    public async Task<IReadOnlyList<StreamEntry>> ClaimAsync(
        string stream, string group, string consumer, TimeSpan minIdle, IReadOnlyList<StreamId> ids, CancellationToken ct)
    {
        var claimed = await _db.StreamClaimAsync(stream, group, consumer, (long)minIdle.TotalMilliseconds, [.. ids.Select(id => (RedisValue)id.ToString())]).WaitAsync(ct);
        return ToEntries(claimed);
    }

    public bool HasUndelivered(string stream, string group)
    {
        try
        {
            var info = _db.StreamGroupInfo(stream).FirstOrDefault(g => g.Name == group);
            return info.Name is not null && _db.StreamRange(stream, $"({info.LastDeliveredId}", "+", 1).Length > 0;
        }
        catch (RedisServerException)
        {
            // No such stream.
            return false;
        }
    }

    public void Dispose() => _redis.Dispose();

    // Redis before 7 answers XCLAIM of a trimmed entry with a nil one.
    private static List<StreamEntry> ToEntries(IEnumerable<StackExchange.Redis.StreamEntry> entries) =>
        [.. entries.Where(e => !e.IsNull).Select(e => new StreamEntry(
            StreamId.Parse(e.Id.ToString()), (byte[]?)e["data"] ?? [], e["metadata"] is { IsNull: false } md ? md.ToString() : null))];
}
