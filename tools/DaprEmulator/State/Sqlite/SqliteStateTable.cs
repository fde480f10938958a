using System.Collections.Concurrent;
using System.Text.Json;
using DaprEmulator.Storage;
using Microsoft.Data.Sqlite;

namespace DaprEmulator.State.Sqlite;

// A state table in the SQLite file of EmulatorStorage.Sqlite, laid out like components-contrib's
// state.sqlite (state/sqlite/sqlite_migrations.go): key, value, is_binary, etag, expiration_time,
// update_time, one table per component ("state_{component}"). A value that is UTF-8 text (JSON,
// as nearly every value is) is kept as text; other bytes in base64 with is_binary set. Times are the
// emulator's clock (SqliteTime), which decides expiry. Writes go through a SqliteStateWriter (group
// commit); readers come from a pool of connections, each with its statements prepared once.
// Single rows read or committed are kept in a cache (this process is the table's only writer): a
// row read from the file is cached only if no commit came in between, so the cache never holds a
// row older than the file's. Past CacheLimit rows it starts afresh.
public sealed class SqliteStateTable : IStateTable
{
    private const string Columns = "key, value, is_binary, etag, expiration_time";
    private const int CacheLimit = 50_000;

    private readonly SqliteDatabase _database;
    private readonly string _table;
    private readonly SqliteStateWriter _writer;
    private readonly ConcurrentBag<Reader> _readers = [];
    private readonly Lock _cacheLock = new();
    private readonly Dictionary<string, StateRow?> _cache = new(StringComparer.Ordinal);
    private long _commits;

    public SqliteStateTable(SqliteDatabase database, string component, TimeProvider time)
    {
        _database = database;
        _table = "\"" + ("state_" + component).Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        database.EnsureSchema($"""
            CREATE TABLE IF NOT EXISTS {_table} (
              key TEXT NOT NULL PRIMARY KEY,
              value TEXT NOT NULL,
              is_binary BOOLEAN NOT NULL,
              etag TEXT NOT NULL,
              expiration_time TIMESTAMP DEFAULT NULL,
              update_time TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
            )
            """);
        _writer = new SqliteStateWriter(database, _table, time, Cache);
    }

    public StateRow? Find(string key)
    {
        long commits;
        lock (_cacheLock)
        {
            if (_cache.TryGetValue(key, out var cached))
            {
                return cached;
            }

            commits = _commits;
        }

        var row = Read(reader =>
        {
            reader.Find.Parameters[0].Value = key;
            using var rows = reader.Find.ExecuteReader();
            return rows.Read() ? ToRow(rows) : null;
        });
        lock (_cacheLock)
        {
            if (_commits == commits && _cache.Count < CacheLimit)
            {
                _cache[key] = row;
            }
        }

        return row;
    }

    public StateRow? FindForWrite(string key) => _writer.TryGetPending(key, out var pending) ? pending : Find(key);

    public IReadOnlyList<KeyValuePair<string, StateRow>> FindMany(IReadOnlyList<string> keys) => Read(reader =>
    {
        reader.FindMany.Parameters[0].Value = JsonSerializer.Serialize(keys);
        return ReadAll(reader.FindMany);
    });

    public IReadOnlyList<KeyValuePair<string, StateRow>> All() => Read(reader =>
    {
        using var command = reader.Connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM {_table}";
        return ReadAll(command);
    });

    public long HighestIntegerETag() => Read(reader =>
    {
        using var command = reader.Connection.CreateCommand();
        command.CommandText = $"SELECT MAX(CAST(etag AS INTEGER)) FROM {_table} WHERE etag NOT GLOB '*[^0-9]*' AND etag <> ''";
        return command.ExecuteScalar() is long highest ? highest : 0;
    });

    public Task Commit(IReadOnlyDictionary<string, StateRow?> writes) => writes.Count == 0 ? Task.CompletedTask : _writer.Write(writes);

    public void Dispose()
    {
        _writer.Dispose();
        lock (_cacheLock)
        {
            _cache.Clear();
        }

        while (_readers.TryTake(out var reader))
        {
            reader.Dispose();
        }
    }

    private void Cache(IReadOnlyDictionary<string, StateRow?> committed)
    {
        lock (_cacheLock)
        {
            _commits++;
            if (_cache.Count + committed.Count > CacheLimit)
            {
                _cache.Clear();
            }

            foreach (var (key, row) in committed)
            {
                _cache[key] = row;
            }
        }
    }

    private T Read<T>(Func<Reader, T> read)
    {
        if (!_readers.TryTake(out var reader))
        {
            reader = new Reader(_database.Open(), _table);
        }

        try
        {
            return read(reader);
        }
        catch (SqliteException e)
        {
            throw new StateStoreException($"failed to read from the SQLite database {_database.Path}: {e.Message}");
        }
        finally
        {
            _readers.Add(reader);
        }
    }

    private static List<KeyValuePair<string, StateRow>> ReadAll(SqliteCommand command)
    {
        using var rows = command.ExecuteReader();
        var found = new List<KeyValuePair<string, StateRow>>();
        while (rows.Read())
        {
            found.Add(KeyValuePair.Create(rows.GetString(0), ToRow(rows)));
        }

        return found;
    }

    // Columns as in Columns.
    private static StateRow ToRow(SqliteDataReader rows) => new(
        rows.GetBoolean(2) ? Convert.FromBase64String(rows.GetString(1)) : rows.GetFieldValue<byte[]>(1),
        rows.GetString(3),
        rows.IsDBNull(4) ? null : SqliteTime.Parse(rows.GetString(4)));

    // A read connection with its prepared statements; used by one thread at a time.
    private sealed class Reader(SqliteConnection connection, string table) : IDisposable
    {
        public SqliteConnection Connection { get; } = connection;

        public SqliteCommand Find { get; } = SqliteDatabase.Prepare(connection, $"SELECT {Columns} FROM {table} WHERE key = $key", "$key");

        public SqliteCommand FindMany { get; } = SqliteDatabase.Prepare(connection, $"SELECT {Columns} FROM {table} WHERE key IN (SELECT value FROM json_each($keys))", "$keys");

        public void Dispose()
        {
            Find.Dispose();
            FindMany.Dispose();
            Connection.Dispose();
        }
    }
}
