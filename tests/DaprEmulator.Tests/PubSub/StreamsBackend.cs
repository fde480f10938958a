using DaprEmulator.Storage;
using DaprEmulator.PubSub.Streams;
using DaprEmulator.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace DaprEmulator.Tests.PubSub;

// One of the three IRedisStreams backends, fresh for a test: in memory, a new SQLite file, or the
// real Redis (streams named uniquely, deleted at the end).
public sealed class StreamsBackend : IAsyncDisposable
{
    private readonly List<string> _streams = [];
    private readonly string? _file;
    private readonly ConnectionMultiplexer? _redis;

    private StreamsBackend(IRedisStreams streams, string? file, ConnectionMultiplexer? redis)
    {
        Streams = streams;
        _file = file;
        _redis = redis;
    }

    public IRedisStreams Streams { get; }

    public static async Task<StreamsBackend> OpenAsync(string backend)
    {
        switch (backend)
        {
            case "Memory":
                return new StreamsBackend(new InMemoryRedisStreams(TimeProvider.System), null, null);
            case "Sqlite":
                var file = Path.Combine(Path.GetTempPath(), "dapr-emulator-tests", $"{Guid.NewGuid():N}.db");
                return new StreamsBackend(new SqliteRedisStreams(new SqliteDatabase(file), "bus", TimeProvider.System, NullLogger.Instance), file, null);
            case "Redis":
                var redis = await RedisServer.ConnectAsync();
                return new StreamsBackend(ExternalRedisStreams.Connect([new("redisHost", RedisServer.Address)]), null, redis);
            default:
                throw new ArgumentOutOfRangeException(nameof(backend), backend, "Memory, Sqlite or Redis");
        }
    }

    // A stream name no other test (or earlier run) uses.
    public string NewStream()
    {
        var name = $"conformance-{Guid.NewGuid():N}";
        _streams.Add(name);
        return name;
    }

    public async ValueTask DisposeAsync()
    {
        Streams.Dispose();
        if (_redis is not null)
        {
            await _redis.GetDatabase().KeyDeleteAsync([.. _streams.Select(s => (RedisKey)s)]);
            await _redis.DisposeAsync();
        }

        if (_file is not null)
        {
            foreach (var path in new[] { _file, $"{_file}-wal", $"{_file}-shm" })
            {
                File.Delete(path);
            }
        }
    }
}
