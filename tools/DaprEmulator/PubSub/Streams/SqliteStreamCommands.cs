using Microsoft.Data.Sqlite;

namespace DaprEmulator.PubSub.Streams;

// The tables of the streams in the SQLite file and the statements on them, prepared once on one
// connection. A stream is a row of redis_streams (component and topic); entry and pending ids are
// the two numbers of a Redis id, so the primary keys keep them in id order.
internal sealed class SqliteStreamCommands : IDisposable
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS redis_streams (
            stream_key INTEGER PRIMARY KEY,
            component TEXT NOT NULL,
            name TEXT NOT NULL,
            UNIQUE (component, name));
        CREATE TABLE IF NOT EXISTS redis_stream_entries (
            stream_key INTEGER NOT NULL,
            ms INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            data BLOB NOT NULL,
            metadata TEXT,
            PRIMARY KEY (stream_key, ms, seq));
        CREATE TABLE IF NOT EXISTS redis_stream_groups (
            stream_key INTEGER NOT NULL,
            name TEXT NOT NULL,
            last_ms INTEGER NOT NULL,
            last_seq INTEGER NOT NULL,
            PRIMARY KEY (stream_key, name));
        CREATE TABLE IF NOT EXISTS redis_stream_pending (
            stream_key INTEGER NOT NULL,
            group_name TEXT NOT NULL,
            ms INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            consumer TEXT NOT NULL,
            delivered_at INTEGER NOT NULL,
            delivery_count INTEGER NOT NULL,
            PRIMARY KEY (stream_key, group_name, ms, seq));
        """;

    private readonly List<SqliteCommand> _all = [];

    public SqliteStreamCommands(SqliteConnection db)
    {
        FindStream = Prepare(db, "SELECT stream_key FROM redis_streams WHERE component = $1 AND name = $2", 2);
        InsertStream = Prepare(db, "INSERT INTO redis_streams (component, name) VALUES ($1, $2) RETURNING stream_key", 2);
        LastEntry = Prepare(db, "SELECT ms, seq FROM redis_stream_entries WHERE stream_key = $1 ORDER BY ms DESC, seq DESC LIMIT 1", 1);
        CountEntries = Prepare(db, "SELECT COUNT(*) FROM redis_stream_entries WHERE stream_key = $1", 1);
        Groups = Prepare(db, "SELECT name, last_ms, last_seq FROM redis_stream_groups WHERE stream_key = $1", 1);
        InsertEntry = Prepare(db, "INSERT INTO redis_stream_entries (stream_key, ms, seq, data, metadata) VALUES ($1, $2, $3, $4, $5)", 5);
        TrimOldest = Prepare(db, """
            DELETE FROM redis_stream_entries WHERE rowid IN
                (SELECT rowid FROM redis_stream_entries WHERE stream_key = $1 ORDER BY ms, seq LIMIT $2)
            """, 2);
        InsertGroup = Prepare(db, "INSERT OR IGNORE INTO redis_stream_groups (stream_key, name, last_ms, last_seq) VALUES ($1, $2, 0, 0)", 2);
        EntriesAfter = Prepare(db, """
            SELECT ms, seq, data, metadata FROM redis_stream_entries
            WHERE stream_key = $1 AND (ms, seq) > ($2, $3) ORDER BY ms, seq LIMIT $4
            """, 4);
        Entry = Prepare(db, "SELECT data, metadata FROM redis_stream_entries WHERE stream_key = $1 AND ms = $2 AND seq = $3", 3);
        SetLastDelivered = Prepare(db, "UPDATE redis_stream_groups SET last_ms = $3, last_seq = $4 WHERE stream_key = $1 AND name = $2", 4);
        UpsertPending = Prepare(db, """
            INSERT OR REPLACE INTO redis_stream_pending (stream_key, group_name, ms, seq, consumer, delivered_at, delivery_count)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """, 7);
        DeletePending = Prepare(db, "DELETE FROM redis_stream_pending WHERE stream_key = $1 AND group_name = $2 AND ms = $3 AND seq = $4", 4);
        Pending = Prepare(db, """
            SELECT ms, seq, consumer, delivered_at, delivery_count FROM redis_stream_pending
            WHERE stream_key = $1 AND group_name = $2 ORDER BY ms, seq LIMIT $3
            """, 3);
        OnePending = Prepare(db, """
            SELECT delivered_at, delivery_count FROM redis_stream_pending
            WHERE stream_key = $1 AND group_name = $2 AND ms = $3 AND seq = $4
            """, 4);
    }

    public SqliteCommand FindStream { get; }

    public SqliteCommand InsertStream { get; }

    public SqliteCommand LastEntry { get; }

    public SqliteCommand CountEntries { get; }

    public SqliteCommand Groups { get; }

    public SqliteCommand InsertEntry { get; }

    public SqliteCommand TrimOldest { get; }

    public SqliteCommand InsertGroup { get; }

    public SqliteCommand EntriesAfter { get; }

    public SqliteCommand Entry { get; }

    public SqliteCommand SetLastDelivered { get; }

    public SqliteCommand UpsertPending { get; }

    public SqliteCommand DeletePending { get; }

    public SqliteCommand Pending { get; }

    public SqliteCommand OnePending { get; }

    // The command with its parameters set, in the transaction when one is open.
    public static SqliteCommand Bind(SqliteCommand command, SqliteTransaction? transaction, params object?[] values)
    {
        command.Transaction = transaction;
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return command;
    }

    public void Dispose()
    {
        foreach (var command in _all)
        {
            command.Dispose();
        }
    }

    private SqliteCommand Prepare(SqliteConnection db, string sql, int parameters)
    {
        var command = db.CreateCommand();
        command.CommandText = sql;
        for (var i = 1; i <= parameters; i++)
        {
            command.Parameters.Add(new SqliteParameter($"${i}", null));
        }

        _all.Add(command);
        return command;
    }
}
