using Microsoft.Data.Sqlite;
using static DaprEmulator.PubSub.Streams.SqliteStreamCommands;

namespace DaprEmulator.PubSub.Streams;

// The streams of one pubsub.redis component in the SQLite file of EmulatorStorage.Sqlite: entries,
// consumer groups (last delivered id) and pending entries (consumer, last delivery time, count)
// survive a restart, so what was published and not acknowledged is delivered after it. One
// connection, used under a lock; each stream's last id, length and groups' last delivered ids are
// also kept in memory, read from the file at first use, so one emulator at a time may use a file.
// Each command is one transaction; XREADGROUP writes its batch of pending entries in one.
public sealed class SqliteRedisStreams : IRedisStreams
{
    private readonly Lock _lock = new();
    private readonly SqliteFile _file;
    private readonly SqliteConnection _db;
    private readonly SqliteStreamCommands _sql;
    private readonly string _component;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, StreamState> _streams = new(StringComparer.Ordinal);

    public SqliteRedisStreams(SqliteFile file, string component, TimeProvider time)
    {
        _file = file;
        _component = component;
        _time = time;
        _db = file.Open();
        lock (_file.WriteLock)
        {
            using var schema = _db.CreateCommand();
            schema.CommandText = Schema;
            schema.ExecuteNonQuery();
        }

        _sql = new SqliteStreamCommands(_db);
    }

    public TimeSpan? PollInterval => null;

    public StreamId Add(string stream, byte[] data, string? metadata, long maxLenApprox)
    {
        lock (_lock)
        {
            var s = GetStream(stream);
            var id = StreamId.Next(s.LastId, NowMs());
            var trim = maxLenApprox > 0 ? Math.Max(0, s.Length + 1 - maxLenApprox) : 0;
            Write(tx =>
            {
                Bind(_sql.InsertEntry, tx, s.Key, id.Ms, id.Seq, data, metadata).ExecuteNonQuery();
                if (trim > 0)
                {
                    Bind(_sql.TrimOldest, tx, s.Key, trim).ExecuteNonQuery();
                }
            });
            s.LastId = id;
            s.Length += 1 - trim;
            return id;
        }
    }

    public void CreateGroup(string stream, string group)
    {
        lock (_lock)
        {
            var s = GetStream(stream);
            if (!s.Groups.ContainsKey(group))
            {
                Write(tx => Bind(_sql.InsertGroup, tx, s.Key, group).ExecuteNonQuery());
                s.Groups[group] = StreamId.Zero;
            }
        }
    }

    public Task<IReadOnlyList<StreamEntry>> ReadGroupAsync(string stream, string group, string consumer, int count, CancellationToken ct)
    {
        lock (_lock)
        {
            var (s, last) = Find(stream, group, "XREADGROUP");
            if (s.LastId <= last || s.Length == 0)
            {
                return Task.FromResult<IReadOnlyList<StreamEntry>>([]);
            }

            var entries = new List<StreamEntry>();
            using (var reader = Bind(_sql.EntriesAfter, null, s.Key, last.Ms, last.Seq, count).ExecuteReader())
            {
                while (reader.Read())
                {
                    entries.Add(new StreamEntry(new StreamId(reader.GetInt64(0), reader.GetInt64(1)), (byte[])reader[2], reader.IsDBNull(3) ? null : reader.GetString(3)));
                }
            }

            if (entries.Count > 0)
            {
                var now = NowMs();
                Write(tx =>
                {
                    foreach (var entry in entries)
                    {
                        Bind(_sql.UpsertPending, tx, s.Key, group, entry.Id.Ms, entry.Id.Seq, consumer, now, 1L).ExecuteNonQuery();
                    }

                    Bind(_sql.SetLastDelivered, tx, s.Key, group, entries[^1].Id.Ms, entries[^1].Id.Seq).ExecuteNonQuery();
                });
                s.Groups[group] = entries[^1].Id;
            }

            return Task.FromResult<IReadOnlyList<StreamEntry>>(entries);
        }
    }

    public Task AckAsync(string stream, string group, StreamId id, CancellationToken ct)
    {
        lock (_lock)
        {
            if (_streams.TryGetValue(stream, out var s) || (s = LoadStream(stream, create: false)) is not null)
            {
                Write(tx => Bind(_sql.DeletePending, tx, s.Key, group, id.Ms, id.Seq).ExecuteNonQuery());
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PendingEntry>> PendingAsync(string stream, string group, int count, CancellationToken ct)
    {
        lock (_lock)
        {
            var (s, _) = Find(stream, group, "XPENDING");
            var now = NowMs();
            var pending = new List<PendingEntry>();
            using var reader = Bind(_sql.Pending, null, s.Key, group, count).ExecuteReader();
            while (reader.Read())
            {
                pending.Add(new PendingEntry(
                    new StreamId(reader.GetInt64(0), reader.GetInt64(1)), reader.GetString(2), Idle(reader.GetInt64(3), now), reader.GetInt64(4)));
            }

            return Task.FromResult<IReadOnlyList<PendingEntry>>(pending);
        }
    }

    public Task<IReadOnlyList<StreamEntry>> ClaimAsync(
        string stream, string group, string consumer, TimeSpan minIdle, IReadOnlyList<StreamId> ids, CancellationToken ct)
    {
        lock (_lock)
        {
            var (s, _) = Find(stream, group, "XCLAIM");
            var now = NowMs();
            var claimed = new List<StreamEntry>();
            Write(tx =>
            {
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
            });
            return Task.FromResult<IReadOnlyList<StreamEntry>>(claimed);
        }
    }

    public bool HasUndelivered(string stream, string group)
    {
        lock (_lock)
        {
            return _streams.TryGetValue(stream, out var s) && s.Groups.TryGetValue(group, out var last) && s.LastId > last && s.Length > 0;
        }
    }

    public ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _sql.Dispose();
            _db.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static TimeSpan Idle(long deliveredAtMs, long nowMs) => TimeSpan.FromMilliseconds(Math.Max(0, nowMs - deliveredAtMs));

    private void Write(Action<SqliteTransaction> work)
    {
        lock (_file.WriteLock)
        {
            using var tx = _db.BeginTransaction();
            work(tx);
            tx.Commit();
        }
    }

    private (StreamState Stream, StreamId LastDelivered) Find(string stream, string group, string command) =>
        (_streams.TryGetValue(stream, out var s) || (s = LoadStream(stream, create: false)) is not null) && s.Groups.TryGetValue(group, out var last)
            ? (s, last)
            : throw new RedisStreamsException($"NOGROUP No such key '{stream}' or consumer group '{group}' in {command}");

    private StreamState GetStream(string stream) =>
        _streams.TryGetValue(stream, out var s) ? s : LoadStream(stream, create: true)!;

    // A stream's row, last id, length and groups, read from the file (and created there when asked).
    private StreamState? LoadStream(string stream, bool create)
    {
        long key;
        if (Bind(_sql.FindStream, null, _component, stream).ExecuteScalar() is long found)
        {
            key = found;
        }
        else if (create)
        {
            long inserted = 0;
            Write(tx => inserted = (long)Bind(_sql.InsertStream, tx, _component, stream).ExecuteScalar()!);
            key = inserted;
        }
        else
        {
            return null;
        }

        var state = new StreamState(key) { Length = (long)Bind(_sql.CountEntries, null, key).ExecuteScalar()! };
        using (var reader = Bind(_sql.LastEntry, null, key).ExecuteReader())
        {
            if (reader.Read())
            {
                state.LastId = new StreamId(reader.GetInt64(0), reader.GetInt64(1));
            }
        }

        using (var reader = Bind(_sql.Groups, null, key).ExecuteReader())
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
