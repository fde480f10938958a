using System.Text;
using System.Text.Unicode;
using DaprEmulator.Storage;
using Microsoft.Data.Sqlite;

namespace DaprEmulator.State.Sqlite;

// Writes the rows of one state table with group commit: every transaction handed over while a
// commit is under way goes into the next one, so that the cost of a SQLite commit (its WAL writes
// and file locks, far more than its statements) is shared by all the transactions waiting for it.
// A transaction is acknowledged once its batch has committed. Until then its rows are pending:
// the store's later transactions see them (they were decided in order), readers do not.
internal sealed class SqliteStateWriter : IDisposable
{
    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;
    private readonly Action<IReadOnlyDictionary<string, StateRow?>> _committed;
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _upsert;
    private readonly SqliteCommand _delete;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (StateRow? Row, Batch Batch)> _pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _work = new(0);
    private readonly Task _loop;
    private Batch _open = new();
    private bool _stopping;

    // committed: told of each batch once it is stored, before its transactions are acknowledged.
    public SqliteStateWriter(SqliteDatabase database, string table, TimeProvider time, Action<IReadOnlyDictionary<string, StateRow?>> committed)
    {
        _database = database;
        _time = time;
        _committed = committed;
        _connection = database.Open();
        _upsert = SqliteDatabase.Prepare(_connection, $"""
            INSERT OR REPLACE INTO {table} (key, value, is_binary, etag, expiration_time, update_time)
            VALUES ($key, $value, $is_binary, $etag, $expiration_time, $update_time)
            """, "$key", "$value", "$is_binary", "$etag", "$expiration_time", "$update_time");
        _delete = SqliteDatabase.Prepare(_connection, $"DELETE FROM {table} WHERE key = $key", "$key");
        _begin = SqliteDatabase.Prepare(_connection, "BEGIN IMMEDIATE");
        _commit = SqliteDatabase.Prepare(_connection, "COMMIT");
        _rollback = SqliteDatabase.Prepare(_connection, "ROLLBACK");
        _loop = Task.Run(CommitBatchesAsync);
    }

    // A row written but not yet committed (row null: deleted).
    public bool TryGetPending(string key, out StateRow? row)
    {
        lock (_gate)
        {
            var found = _pending.TryGetValue(key, out var pending);
            row = pending.Row;
            return found;
        }
    }

    // Completes when the rows are committed, or fails with the commit.
    public Task Write(IReadOnlyDictionary<string, StateRow?> writes)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            foreach (var (key, row) in writes)
            {
                _open.Rows[key] = row;
                _pending[key] = (row, _open);
            }

            _work.Release();
            return _open.Done.Task;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
        }

        _work.Release();
        _loop.GetAwaiter().GetResult();
        foreach (var command in new[] { _upsert, _delete, _begin, _commit, _rollback })
        {
            command.Dispose();
        }

        _connection.Dispose();
        _work.Dispose();
    }

    private async Task CommitBatchesAsync()
    {
        while (true)
        {
            await _work.WaitAsync();
            while (TakeOpenBatch() is { } batch)
            {
                try
                {
                    Commit(batch.Rows);
                }
                catch (Exception e) when (e is SqliteException or InvalidOperationException)
                {
                    Fail(batch, new StateStoreException($"failed to write to the SQLite database {_database.Path}: {e.Message}"));
                    continue;
                }

                _committed(batch.Rows);
                lock (_gate)
                {
                    foreach (var key in batch.Rows.Keys)
                    {
                        if (_pending.TryGetValue(key, out var pending) && pending.Batch == batch)
                        {
                            _pending.Remove(key);
                        }
                    }
                }

                batch.Done.SetResult();
            }

            lock (_gate)
            {
                if (_stopping)
                {
                    return;
                }
            }
        }
    }

    private Batch? TakeOpenBatch()
    {
        lock (_gate)
        {
            if (_open.Rows.Count == 0)
            {
                return null;
            }

            var batch = _open;
            _open = new Batch();
            return batch;
        }
    }

    // The transactions of the open batch were decided over the failed one's rows: they fail too.
    private void Fail(Batch batch, StateStoreException error)
    {
        Batch open;
        lock (_gate)
        {
            _pending.Clear();
            open = _open;
            _open = new Batch();
        }

        batch.Done.SetException(error);
        open.Done.TrySetException(error);
    }

    private void Commit(Dictionary<string, StateRow?> rows)
    {
        var now = SqliteTime.ToText(_time.GetUtcNow());
        lock (_database.WriteLock)
        {
            _begin.ExecuteNonQuery();
            try
            {
                foreach (var (key, row) in rows)
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

                _commit.ExecuteNonQuery();
            }
            catch (SqliteException)
            {
                Rollback();
                throw;
            }
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

    // The rows of the transactions handed over since the last commit began, last write per key.
    private sealed class Batch
    {
        public Dictionary<string, StateRow?> Rows { get; } = new(StringComparer.Ordinal);

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
