namespace DaprEmulator.PubSub.Streams;

// The Redis commands components-contrib pubsub/redis/redis.go sends (through
// common/component/redis), kept by one of three backends: in memory, in a SQLite file, or a real
// Redis server. One instance is one Redis server (the pub/sub component's redisHost).
public interface IRedisStreams : IDisposable
{
    // How long readers wait before looking again for entries written by others than this emulator;
    // null when nobody else writes (the readers are woken by this emulator's XADDs).
    TimeSpan? PollInterval { get; }

    // XADD stream [MAXLEN ~ maxLenApprox] * data .. [metadata ..]; no MAXLEN when maxLenApprox <= 0
    // (go-redis omits it). The emulator does not use the id Redis answers. Completes once the server
    // has the entry: every later command sees it. Fails with RedisStreamsException.
    Task AddAsync(string stream, byte[] data, string? metadata, long maxLenApprox);

    // XGROUP CREATE stream group 0 MKSTREAM; an existing group (BUSYGROUP) is kept as it is.
    void CreateGroup(string stream, string group);

    // XREADGROUP GROUP group consumer COUNT count STREAMS stream ">": up to count entries after the
    // group's last delivered id, now pending for the consumer; empty when there is none (no BLOCK).
    Task<IReadOnlyList<StreamEntry>> ReadGroupAsync(string stream, string group, string consumer, int count, CancellationToken ct);

    // XACK stream group id
    Task AckAsync(string stream, string group, StreamId id, CancellationToken ct);

    // XPENDING stream group - + count: the first count pending entries, in id order.
    Task<IReadOnlyList<PendingEntry>> PendingAsync(string stream, string group, int count, CancellationToken ct);

    // XCLAIM stream group consumer minIdle id..: the listed pending entries idle for at least
    // minIdle now belong to the consumer, idle 0, delivered once more. An entry no longer in the
    // stream (trimmed) is dropped from the pending list and not returned (Redis 7).
    Task<IReadOnlyList<StreamEntry>> ClaimAsync(string stream, string group, string consumer, TimeSpan minIdle, IReadOnlyList<StreamId> ids, CancellationToken ct);

    // Test hook: whether the stream holds an entry after the group's last delivered id.
    bool HasUndelivered(string stream, string group);
}
