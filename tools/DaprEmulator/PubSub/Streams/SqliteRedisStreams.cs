using DaprEmulator.Storage;
using Microsoft.Data.Sqlite;
using static DaprEmulator.PubSub.Streams.SqliteStreamCommands;

namespace DaprEmulator.PubSub.Streams;

// The streams of one pubsub.redis component in the SQLite file of EmulatorStorage.Sqlite: entries,
// consumer groups (last delivered id) and pending entries (consumer, last delivery time, count)
// survive a restart, so what was published and not acknowledged is delivered after it. Every
// command runs on the writer's thread, in order (SqliteWriter: concurrent commands share a commit);
// each stream's last id, length and groups' last delivered ids are also kept in memory there, read
// from the file at first use: one emulator at a time per file.
// XADD returns once queued, not committed, like Redis, which answers once the entry is in its
// memory and writes it to disk later: a publisher does not wait for a commit (blocking a thread per
// publish halved throughput), the commands after it see the entry, and a stop commits what is
// queued; a crash of the process can lose the last milliseconds of entries, as Redis' every-second
// persistence can lose the last second.
public sealed class SqliteRedisStreams : IRedisStreams
{
    private readonly SqliteConnection _db;
    private readonly SqliteStreamCommands _sql;
    private readonly SqliteWriter _writer;
    private readonly string _component;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, StreamState> _streams = new(StringComparer.Ordinal);

    public SqliteRedisStreams(SqliteDatabase file, string component, TimeProvider time, ILogger logger)
    {
        _component = component;
        _time = time;
        _logger = logger;
        _db = file.Open();
        lock (file.WriteLock)
        {
            using var schema = _db.CreateCommand();
            schema.CommandText = Schema;
            schema.ExecuteNonQuery();
        }

        _sql = new SqliteStreamCommands(_db);

        // A rolled back transaction leaves the memory ahead of the file: read it again.
        _writer = new SqliteWriter(_db, file.WriteLock, $"sqlite streams {component}", _streams.Clear);
    }

    public TimeSpan? PollInterval => null;

    // Queued: see above. A failed commit is logged.
    public Task AddAsync(string stream, byte[] data, string? metadata, long maxLenApprox)
    {
        _ = _writer.RunAsync(tx =>
    {
        var s = GetStream(stream, tx);
        var id = StreamId.Next(s.LastId, NowMs());
        Bind(_sql.InsertEntry, tx, s.Key, id.Ms, id.Seq, data, metadata).ExecuteNonQuery();
        var trim = maxLenApprox > 0 ? Math.Max(0, s.Length + 1 - maxLenApprox) : 0;
        if (trim > 0)
        {
            Bind(_sql.TrimOldest, tx, s.Key, trim).ExecuteNonQuery();
        }

        s.LastId = id;
        s.Length += 1 - trim;
        return id;
    }).ContinueWith(
        t => _logger.LogError("redis streams: XADD to {Stream} failed: {Error}", stream, t.Exception!.InnerException!.Message),
        CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    public void CreateGroup(string stream, string group) => _writer.Run(tx =>
    {
        var s = GetStream(stream, tx);
        if (s.Groups.TryAdd(group, StreamId.Zero))
        {
            Bind(_sql.InsertGroup, tx, s.Key, group).ExecuteNonQuery();
        }

        return true;
    });

    public Task<IReadOnlyList<StreamEntry>> ReadGroupAsync(string stream, string group, string consumer, int count, CancellationToken ct) =>
        _writer.RunAsync<IReadOnlyList<StreamEntry>>(tx =>
        {
            var (s, last) = Find(stream, group, "XREADGROUP", tx);
            if (s.LastId <= last || s.Length == 0)
            {
                return [];
            }

            var entries = new List<StreamEntry>();
            using (var reader = Bind(_sql.EntriesAfter, tx, s.Key, last.Ms, last.Seq, count).ExecuteReader())
            {
                while (reader.Read())
                {
                    entries.Add(new StreamEntry(new StreamId(reader.GetInt64(0), reader.GetInt64(1)), (byte[])reader[2], reader.IsDBNull(3) ? null : reader.GetString(3)));
                }
            }

            if (entries.Count > 0)
            {
                var now = NowMs();
                foreach (var entry in entries)
                {
                    Bind(_sql.UpsertPending, tx, s.Key, group, entry.Id.Ms, entry.Id.Seq, consumer, now, 1L).ExecuteNonQuery();
                }

                Bind(_sql.SetLastDelivered, tx, s.Key, group, entries[^1].Id.Ms, entries[^1].Id.Seq).ExecuteNonQuery();
                s.Groups[group] = entries[^1].Id;
            }

            return entries;
        });

    public Task AckAsync(string stream, string group, StreamId id, CancellationToken ct) => _writer.RunAsync(tx =>
    {
        if (Load(stream, create: false, tx) is { } s)
        {
            Bind(_sql.DeletePending, tx, s.Key, group, id.Ms, id.Seq).ExecuteNonQuery();
        }

        return true;
    });

    public Task<IReadOnlyList<PendingEntry>> PendingAsync(string stream, string group, int count, CancellationToken ct) =>
        _writer.RunAsync<IReadOnlyList<PendingEntry>>(tx =>
        {
            var (s, _) = Find(stream, group, "XPENDING", tx);
            var now = NowMs();
            var pending = new List<PendingEntry>();
            using var reader = Bind(_sql.Pending, tx, s.Key, group, count).ExecuteReader();
            while (reader.Read())
            {
                pending.Add(new PendingEntry(
                    new StreamId(reader.GetInt64(0), reader.GetInt64(1)), reader.GetString(2), Idle(reader.GetInt64(3), now), reader.GetInt64(4)));
            }

            return pending;
        });

    public Task<IReadOnlyList<StreamEntry>> ClaimAsync(
        string stream, string group, string consumer, TimeSpan minIdle, IReadOnlyList<StreamId> ids, CancellationToken ct) =>
        _writer.RunAsync<IReadOnlyList<StreamEntry>>(tx =>
        {
            var (s, _) = Find(stream, group, "XCLAIM", tx);
            var now = NowMs();
            var claimed = new List<StreamEntry>();
            foreach (var id in ids)
            {
                long deliveries;
                using (var pending = Bind(_sql.OnePending, tx, s.Key, group, id.Ms, id.Seq).ExecuteReader())
                {
                    if (!pending.Read() || Idle(pending.GetInt64(0), now) < minIdle)
                    {
                        continue;
                    }

                    deliveries = pending.GetInt64(1);
                }

                StreamEntry? entry = null;
                using (var reader = Bind(_sql.Entry, tx, s.Key, id.Ms, id.Seq).ExecuteReader())
                {
                    if (reader.Read())
                    {
                        entry = new StreamEntry(id, (byte[])reader[0], reader.IsDBNull(1) ? null : reader.GetString(1));
                    }
                }

                if (entry is null)
                {
                    Bind(_sql.DeletePending, tx, s.Key, group, id.Ms, id.Seq).ExecuteNonQuery();
                    continue;
                }

                Bind(_sql.UpsertPending, tx, s.Key, group, id.Ms, id.Seq, consumer, now, deliveries + 1).ExecuteNonQuery();
                claimed.Add(entry);
            }

            return claimed;
        });

    public bool HasUndelivered(string stream, string group) => _writer.Run(_ =>
        _streams.TryGetValue(stream, out var s) && s.Groups.TryGetValue(group, out var last) && s.LastId > last && s.Length > 0);

    // Commits what is queued first.
    public void Dispose()
    {
        _writer.Dispose();
        _sql.Dispose();
        _db.Dispose();
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static TimeSpan Idle(long deliveredAtMs, long nowMs) => TimeSpan.FromMilliseconds(Math.Max(0, nowMs - deliveredAtMs));

    private (StreamState Stream, StreamId LastDelivered) Find(string stream, string group, string command, SqliteTransaction tx) =>
        Load(stream, create: false, tx) is { } s && s.Groups.TryGetValue(group, out var last)
            ? (s, last)
            : throw new RedisStreamsException($"NOGROUP No such key '{stream}' or consumer group '{group}' in {command}");

    private StreamState GetStream(string stream, SqliteTransaction tx) => Load(stream, create: true, tx)!;

    // A stream's row, last id, length and groups: from memory, else read from the file (and created
    // there when asked).
    private StreamState? Load(string stream, bool create, SqliteTransaction tx)
    {
        if (_streams.TryGetValue(stream, out var known))
        {
            return known;
        }

        long key;
        if (Bind(_sql.FindStream, tx, _component, stream).ExecuteScalar() is long found)
        {
            key = found;
        }
        else if (create)
        {
            key = (long)Bind(_sql.InsertStream, tx, _component, stream).ExecuteScalar()!;
        }
        else
        {
            return null;
        }

        var state = new StreamState(key) { Length = (long)Bind(_sql.CountEntries, tx, key).ExecuteScalar()! };
        using (var reader = Bind(_sql.LastEntry, tx, key).ExecuteReader())
        {
            if (reader.Read())
            {
                state.LastId = new StreamId(reader.GetInt64(0), reader.GetInt64(1));
            }
        }

        using (var reader = Bind(_sql.Groups, tx, key).ExecuteReader())
        {
            while (reader.Read())
            {
                var last = new StreamId(reader.GetInt64(1), reader.GetInt64(2));
                state.Groups[reader.GetString(0)] = last;

                // Ids never go back, even if every entry a group read is gone.
                state.LastId = last > state.LastId ? last : state.LastId;
            }
        }

        _streams[stream] = state;
        return state;
    }

    private sealed class StreamState(long key)
    {
        public long Key { get; } = key;

        public StreamId LastId { get; set; } = StreamId.Zero;

        public long Length { get; set; }

        public Dictionary<string, StreamId> Groups { get; } = new(StringComparer.Ordinal);
    }
}
