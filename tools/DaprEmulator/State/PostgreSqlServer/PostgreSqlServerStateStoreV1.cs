using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace DaprEmulator.State.PostgreSqlServer;

// state.postgresql v1 (components-contrib state/postgresql/v1, common/component/postgresql/v1):
// table {tableName} (default "state") with key text PK, value jsonb, isbinary, insertdate,
// updatedate, expiredate and the row_id identity; the ETag is the row's xmin. Opaque bytes are
// stored as a JSON string of their base64 with isbinary set. Migrations under the key "migrations",
// shared by every v1 table of one metadata table, as in components-contrib.
public sealed class PostgreSqlServerStateStoreV1 : PostgreSqlServerStateStore
{
    private PostgreSqlServerStateStoreV1(string name, NpgsqlDataSource source, string table, TimeProvider time)
        : base(name, source, table, time)
    {
    }

    private protected override string EntryColumns => "value, isbinary, xmin, expiredate";

    private protected override string ExpiryColumn => "expiredate";

    public static PostgreSqlServerStateStoreV1 Open(string name, NpgsqlDataSource source, string table, string metadataTable, TimeProvider time)
    {
        PostgreSqlMigrations.Perform(source, metadataTable, "migrations",
        [
            connection => PostgreSqlMigrations.Execute(connection, $"""
                CREATE TABLE IF NOT EXISTS {table} (
                  key text NOT NULL PRIMARY KEY,
                  value jsonb NOT NULL,
                  isbinary boolean NOT NULL,
                  insertdate TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
                  updatedate TIMESTAMP WITH TIME ZONE NULL
                )
                """),
            connection => PostgreSqlMigrations.Execute(connection, $"ALTER TABLE {table} ADD expiredate TIMESTAMP WITH TIME ZONE"),
            connection => PostgreSqlMigrations.AddRowId(connection, table, "insertdate"),
        ]);
        return new PostgreSqlServerStateStoreV1(name, source, table, time);
    }

    private protected override StateEntry ReadEntry(NpgsqlDataReader row)
    {
        var value = row.GetString(1);
        return new StateEntry(
            row.GetBoolean(2) ? Convert.FromBase64String(JsonSerializer.Deserialize<string>(value)!) : Encoding.UTF8.GetBytes(value),
            row.GetFieldValue<uint>(3).ToString(CultureInfo.InvariantCulture),
            row.IsDBNull(4) ? null : new DateTimeOffset(row.GetFieldValue<DateTime>(4)));
    }

    private protected override NpgsqlCommand SetCommand(SetOperation set, DateTime now)
    {
        PostgreSqlETags.RequireKey(set.Key, "set");
        var binary = !set.ValueIsJson;
        var value = new NpgsqlParameter
        {
            NpgsqlDbType = NpgsqlDbType.Jsonb,
            Value = binary ? $"\"{Convert.ToBase64String(set.Value)}\"" : Encoding.UTF8.GetString(JsonStateValue.Remarshal(set.Value)),
        };
        var expiresAt = ExpiresAt(set, now);
        if (set.HasETag)
        {
            var xmin = PostgreSqlETags.ParseV1(set.ETag!);
            return Command($"""
                UPDATE {Table}
                SET value = $2, isbinary = $3, updatedate = CURRENT_TIMESTAMP, expiredate = $5
                WHERE key = $1 AND xmin = $4 AND (expiredate IS NULL OR expiredate > $6)
                """, set.Key, value, binary, Xid(xmin), Timestamp(expiresAt), Timestamp(now));
        }

        var firstWrite = set.Concurrency == "first-write" ? " WHERE (t.expiredate IS NOT NULL AND t.expiredate < $5)" : "";
        return Command($"""
            INSERT INTO {Table} AS t (key, value, isbinary, expiredate)
            VALUES ($1, $2, $3, $4)
            ON CONFLICT (key)
            DO UPDATE SET value = excluded.value, isbinary = excluded.isBinary, updatedate = CURRENT_TIMESTAMP, expiredate = $4{firstWrite}
            """, set.Key, value, binary, Timestamp(expiresAt), Timestamp(now));
    }

    private protected override NpgsqlCommand DeleteCommand(DeleteOperation delete)
    {
        PostgreSqlETags.RequireKey(delete.Key, "delete");
        return delete.HasETag
            ? Command($"DELETE FROM {Table} WHERE key = $1 AND $2 = xmin", delete.Key, Xid(PostgreSqlETags.ParseV1(delete.ETag!)))
            : Command($"DELETE FROM {Table} WHERE key = $1", delete.Key);
    }

    private static NpgsqlParameter Xid(uint xmin) => new() { NpgsqlDbType = NpgsqlDbType.Xid, Value = xmin };
}
