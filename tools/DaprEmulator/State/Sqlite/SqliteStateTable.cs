using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using DaprEmulator.Storage;
using Microsoft.Data.Sqlite;

namespace DaprEmulator.State.Sqlite;

// A state table in the SQLite file of EmulatorStorage.Sqlite, laid out like components-contrib's
// state.sqlite (state/sqlite/sqlite_migrations.go): key, value, is_binary, etag, expiration_time,
// update_time, one table per component ("state_{component}"). A value that is UTF-8 text (JSON,
// as nearly every value is) is kept as text; other bytes in base64 with is_binary set. Times are the
// emulator's clock (SqliteTime), which decides expiry. One writer connection, with every statement
// it runs (BEGIN and COMMIT too) prepared once; readers come from a pool of connections, each with
// its statements prepared once.
public sealed class SqliteStateTable : IStateTable
{
    private const string Columns = "key, value, is_binary, etag, expiration_time";

    private readonly SqliteDatabase _database;
    private readonly string _table;
    private readonly TimeProvider _time;
    private readonly SqliteConnection _writer;
    private readonly SqliteCommand _find;
    private readonly SqliteCommand _upsert;
    private readonly SqliteCommand _delete;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;
    private readonly ConcurrentBag<Reader> _readers = [];

    public SqliteStateTable(SqliteDatabase database, string component, TimeProvider time)
    {
        _database = database;
        _time = time;
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
        _writer = database.Open();
        _find = Prepare(_writer, $"SELECT {Columns} FROM {_table} WHERE key = $key", "$key");
        _upsert = Prepare(_writer, $"""
            INSERT OR REPLACE INTO {_table} (key, value, is_binary, etag, expiration_time, update_time)
            VALUES ($key, $value, $is_binary, $etag, $expiration_time, $update_time)
            """, "$key", "$value", "$is_binary", "$etag", "$expiration_time", "$update_time");
        _delete = Prepare(_writer, $"DELETE FROM {_table} WHERE key = $key", "$key");
        _begin = Prepare(_writer, "BEGIN IMMEDIATE");
        _commit = Prepare(_writer, "COMMIT");
        _rollback = Prepare(_writer, "ROLLBACK");
    }

    public StateRow? Find(string key) => Read(reader =>
    {
        reader.Find.Parameters[0].Value = key;
        using var rows = reader.Find.ExecuteReader();
        return rows.Read() ? ToRow(rows) : null;
    });

    public StateRow? FindForWrite(string key)
    {
        try
        {
            _find.Parameters[0].Value = key;
            using var rows = _find.ExecuteReader();
            return rows.Read() ? ToRow(rows) : null;
        }
        catch (SqliteException e)
        {
            throw new StateStoreException($"failed to read from the SQLite database {_database.Path}: {e.Message}");
        }
    }

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

    public void Commit(IReadOnlyDictionary<string, StateRow?> writes)
    {
        if (writes.Count == 0)
        {
            return;
        }

        var now = SqliteTime.ToText(_time.GetUtcNow());
        try
        {
            lock (_database.WriteLock)
            {
                // One statement commits on its own; several share a transaction.
                var transaction = writes.Count > 1;
                if (transaction)
                {
                    _begin.ExecuteNonQuery();
                }

                try
                {
                    Write(writes, now);
                    if (transaction)
                    {
                        _commit.ExecuteNonQuery();
                    }
                }
                catch (SqliteException) when (transaction)
                {
                    Rollback();
                    throw;
                }
            }
        }
        catch (SqliteException e)
        {
            throw new StateStoreException($"failed to write to the SQLite database {_database.Path}: {e.Message}");
        }
    }

    public void Dispose()
    {
        lock (_database.WriteLock)
        {
            foreach (var command in new[] { _find, _upsert, _delete, _begin, _commit, _rollback })
            {
                command.Dispose();
            }

            _writer.Dispose();
        }

        while (_readers.TryTake(out var reader))
        {
            reader.Dispose();
        }
    }

    private void Write(IReadOnlyDictionary<string, StateRow?> writes, string now)
    {
        foreach (var (key, row) in writes)
        {
            var command = row is null ? _delete : _upsert;
            command.Parameters[0].Value = key;
            if (row is not null)
            {
                var binary = !Utf8.IsValid(row.Value);
                command.Parameters[1].Value = binary ? Convert.ToBase64String(row.Value) : Encoding.UTF8.GetString(row.Value);
                command.Parameters[2].Value = binary;
                command.Parameters[3].Value = row.ETag;
                command.Parameters[4].Value = row.ExpiresAt is { } at ? SqliteTime.ToText(at) : DBNull.Value;
                command.Parameters[5].Value = now;
            }

            command.ExecuteNonQuery();
        }
    }

    // After a failed statement: SQLite may have rolled the transaction back already.
    private void Rollback()
    {
        try
        {
            _rollback.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
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

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    // A read connection with its prepared statements; used by one thread at a time.
    private sealed class Reader(SqliteConnection connection, string table) : IDisposable
    {
        public SqliteConnection Connection { get; } = connection;

        public SqliteCommand Find { get; } = Prepare(connection, $"SELECT {Columns} FROM {table} WHERE key = $key", "$key");

        public SqliteCommand FindMany { get; } = Prepare(connection, $"SELECT {Columns} FROM {table} WHERE key IN (SELECT value FROM json_each($keys))", "$keys");

        public void Dispose()
        {
            Find.Dispose();
            FindMany.Dispose();
            Connection.Dispose();
        }
    }
}
