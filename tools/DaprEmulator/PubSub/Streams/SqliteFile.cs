using Microsoft.Data.Sqlite;

namespace DaprEmulator.PubSub.Streams;

// The SQLite file of EmulatorStorage.Sqlite as the streams use it. Journal mode WAL (readers and
// the writer do not wait for each other) and synchronous=NORMAL: a commit is in the WAL file when it
// returns, so stopping or killing the process loses nothing committed; only an OS crash or power
// loss can lose the last commits, which are not fsynced one by one.
public sealed class SqliteFile
{
    public SqliteFile(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }
    }

    public string Path { get; }

    // Held around each write transaction, so that the writers of this process queue here rather
    // than in SQLite's busy handler, which sleeps milliseconds at a time.
    public Lock WriteLock { get; } = new();

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // The connection (and its prepared commands) is kept for the backend's lifetime.
            Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000";
        command.ExecuteNonQuery();
        return connection;
    }
}
