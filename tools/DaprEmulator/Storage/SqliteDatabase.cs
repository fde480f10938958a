using Microsoft.Data.Sqlite;

namespace DaprEmulator.Storage;

// The SQLite database file of EmulatorStorage.Sqlite, shared by every feature that keeps its data
// there (state tables, Scheduler jobs, streams); each feature opens its own connections.
// Journal mode WAL: readers never wait for the writer nor it for them. synchronous=NORMAL: a commit
// has reached the WAL file when it returns, so a crash or kill of the process loses no acknowledged
// write; only an OS crash or power loss can lose the last commits (they are not fsynced one by one,
// which would cost a disk flush per write).
// Checkpoints (copying the WAL back into the database file, with their fsyncs) run here every half
// second, off the writers' path: left to SQLite, they run inside whichever commit crosses 1,000
// WAL pages, and copy a hot page once per checkpoint rather than once per half second. Writers
// still checkpoint past 10,000 pages, should this fall behind.
public sealed class SqliteDatabase : IDisposable
{
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromMilliseconds(500);

    private readonly SqliteConnection _checkpointer;
    private readonly SqliteCommand _checkpoint;
    private readonly Timer _timer;
    private bool _disposed;

    public SqliteDatabase(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        // WAL is a property of the file: set once, every later connection uses it.
        _checkpointer = Open();
        Execute(_checkpointer, "PRAGMA journal_mode=WAL");
        _checkpoint = _checkpointer.CreateCommand();
        _checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        _timer = new Timer(_ => Checkpoint(), null, CheckpointInterval, CheckpointInterval);
    }

    public string Path { get; }

    // Held by a writer of this file around each of its write transactions: writers then queue
    // here, rather than in SQLite's busy handler, which sleeps milliseconds at a time.
    public Lock WriteLock { get; } = new();

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Each feature keeps its connections (and their prepared commands) for its lifetime.
            Pooling = false,
        }.ToString());
        connection.Open();
        Execute(connection, "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA wal_autocheckpoint=10000; PRAGMA journal_size_limit=67108864");
        return connection;
    }

    // A feature's tables: CREATE ... IF NOT EXISTS statements, run in one transaction.
    public void EnsureSchema(string statements)
    {
        using var connection = Open();
        lock (WriteLock)
        {
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = statements;
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    // A statement prepared once on a connection, its parameters bound by position afterwards.
    public static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] parameters)
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

    public void Dispose()
    {
        _timer.Dispose();
        lock (_checkpointer)
        {
            _disposed = true;
            _checkpoint.Dispose();
            _checkpointer.Dispose();
        }
    }

    private void Checkpoint()
    {
        // A checkpoint still running when the timer fires again is not waited for.
        if (!Monitor.TryEnter(_checkpointer))
        {
            return;
        }

        try
        {
            if (!_disposed)
            {
                _checkpoint.ExecuteNonQuery();
            }
        }
        catch (SqliteException)
        {
            // Busy or failing now: the next tick tries again, and writers checkpoint past their threshold.
        }
        finally
        {
            Monitor.Exit(_checkpointer);
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
