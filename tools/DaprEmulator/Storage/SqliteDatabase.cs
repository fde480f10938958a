using Microsoft.Data.Sqlite;

namespace DaprEmulator.Storage;

// The SQLite database file of EmulatorStorage.Sqlite, shared by every feature that keeps its data
// there (state tables, Scheduler jobs, streams); each feature opens its own connections.
// Journal mode WAL: readers never wait for the writer nor it for them. synchronous=NORMAL: a commit
// has reached the WAL file when it returns, so a crash or kill of the process loses no acknowledged
// write; only an OS crash or power loss can lose the last commits (they are not fsynced one by one,
// which would cost a disk flush per write).
public sealed class SqliteDatabase
{
    public SqliteDatabase(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        // WAL is a property of the file: set once, every later connection uses it.
        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode=WAL");
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
        Execute(connection, "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000");
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

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
