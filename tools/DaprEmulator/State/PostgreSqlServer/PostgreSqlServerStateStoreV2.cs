using Npgsql;

namespace DaprEmulator.State.PostgreSqlServer;

// state.postgresql v2 (components-contrib state/postgresql/v2): table {tablePrefix}state with
// key text PK, value bytea, etag uuid (gen_random_uuid() per write), created_at, updated_at,
// expires_at, and the row_id identity; migrations under "migrations-state-v2-{tablePrefix}".
public sealed class PostgreSqlServerStateStoreV2 : PostgreSqlServerStateStore
{
    private PostgreSqlServerStateStoreV2(string name, NpgsqlDataSource source, string table, TimeProvider time)
        : base(name, source, table, time)
    {
    }

    private protected override string EntryColumns => "value, etag, expires_at";

    private protected override string ExpiryColumn => "expires_at";

    public static PostgreSqlServerStateStoreV2 Open(string name, NpgsqlDataSource source, string tablePrefix, string metadataTable, TimeProvider time)
    {
        var table = tablePrefix + "state";
        PostgreSqlMigrations.Perform(source, metadataTable, "migrations-state-v2-" + tablePrefix,
        [
            connection => PostgreSqlMigrations.Execute(connection, $"""
                CREATE TABLE IF NOT EXISTS {table} (
                  key text NOT NULL PRIMARY KEY,
                  value bytea NOT NULL,
                  etag uuid NOT NULL DEFAULT gen_random_uuid(),
                  created_at timestamp with time zone NOT NULL DEFAULT now(),
                  updated_at timestamp with time zone,
                  expires_at timestamp with time zone
                );
                CREATE INDEX ON {table} (expires_at);
                """),
            connection => PostgreSqlMigrations.AddRowId(connection, table, "created_at"),
        ]);
        return new PostgreSqlServerStateStoreV2(name, source, table, time);
    }

    private protected override StateEntry ReadEntry(NpgsqlDataReader row) => new(
        row.GetFieldValue<byte[]>(1),
        row.GetGuid(2).ToString(),
        row.IsDBNull(3) ? null : new DateTimeOffset(row.GetFieldValue<DateTime>(3)));

    private protected override NpgsqlCommand SetCommand(SetOperation set, DateTime now)
    {
        PostgreSqlETags.RequireKey(set.Key, "set");
        var value = set.ValueIsJson ? JsonStateValue.Remarshal(set.Value) : set.Value;
        var expiresAt = ExpiresAt(set, now);
        if (set.HasETag)
        {
            var etag = PostgreSqlETags.ParseV2(set.ETag!);
            return Command($"""
                UPDATE {Table}
                SET value = $2, updated_at = now(), etag = gen_random_uuid(), expires_at = $4
                WHERE key = $1 AND etag = $3 AND (expires_at IS NULL OR expires_at >= $5)
                """, set.Key, value, etag, Timestamp(expiresAt), Timestamp(now));
        }

        // An upsert either way: a first-write may replace only an expired row (not yet collected).
        var firstWrite = set.Concurrency == "first-write" ? " WHERE (t.expires_at IS NOT NULL AND t.expires_at < $4)" : "";
        return Command($"""
            INSERT INTO {Table} AS t (key, value, etag, expires_at)
            VALUES ($1, $2, gen_random_uuid(), $3)
            ON CONFLICT (key)
            DO UPDATE SET value = $2, updated_at = now(), etag = gen_random_uuid(), expires_at = $3{firstWrite}
            """, set.Key, value, Timestamp(expiresAt), Timestamp(now));
    }

    private protected override NpgsqlCommand DeleteCommand(DeleteOperation delete)
    {
        PostgreSqlETags.RequireKey(delete.Key, "delete");
        return delete.HasETag
            ? Command($"DELETE FROM {Table} WHERE key = $1 AND etag = $2", delete.Key, PostgreSqlETags.ParseV2(delete.ETag!))
            : Command($"DELETE FROM {Table} WHERE key = $1", delete.Key);
    }
}
