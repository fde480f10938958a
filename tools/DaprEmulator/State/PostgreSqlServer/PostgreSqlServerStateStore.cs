using Npgsql;
using NpgsqlTypes;

namespace DaprEmulator.State.PostgreSqlServer;

// state.postgresql kept in the real PostgreSQL its connectionString names (EmulatorStorage.External),
// with the table layout and statements of components-contrib, so that daprd could take over the same
// database: the version classes hold them. What the emulated store decides in memory (ETag checks,
// first-write, expiry) the statements decide here; one transaction per Multi of several operations.
// The one difference: "now" in the statements is the emulator's clock (a parameter), not now(), so
// that its TimeProvider governs expiry here as everywhere else in the emulator.
public abstract class PostgreSqlServerStateStore : IStateStore, IDisposable
{
    private readonly NpgsqlDataSource _source;
    private readonly TimeProvider _time;

    private protected PostgreSqlServerStateStore(string name, NpgsqlDataSource source, string table, TimeProvider time)
    {
        Name = name;
        _source = source;
        Table = table;
        _time = time;
    }

    public string Name { get; }

    protected string Table { get; }

    // The columns Get reads after the key, the expiry column, and how a row becomes an entry.
    private protected abstract string EntryColumns { get; }

    private protected abstract string ExpiryColumn { get; }

    private protected abstract StateEntry ReadEntry(NpgsqlDataReader row);

    // The statement of one upsert or delete, as doSet / doDelete build it.
    private protected abstract NpgsqlCommand SetCommand(SetOperation set, DateTime now);

    private protected abstract NpgsqlCommand DeleteCommand(DeleteOperation delete);

    public async ValueTask<StateEntry?> GetAsync(string key)
    {
        PostgreSqlETags.RequireKey(key, "get");
        return await RunAsync(async connection =>
        {
            await using var command = Live($"SELECT key, {EntryColumns} FROM {Table} WHERE key = $1", key);
            command.Connection = connection;
            await using var row = await command.ExecuteReaderAsync();
            return await row.ReadAsync() ? ReadEntry(row) : null;
        });
    }

    // Found rows first, then the missing keys as empty items (BulkGet with key = ANY($1)).
    public async ValueTask<IReadOnlyList<BulkGetItem>> BulkGetAsync(IReadOnlyList<string> keys)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        var found = await RunAsync(async connection =>
        {
            await using var command = Live($"SELECT key, {EntryColumns} FROM {Table} WHERE key = ANY($1)", (object)keys.ToArray());
            command.Connection = connection;
            await using var row = await command.ExecuteReaderAsync();
            var items = new List<BulkGetItem>();
            while (await row.ReadAsync())
            {
                items.Add(new BulkGetItem(row.GetString(0), ReadEntry(row)));
            }

            return items;
        });
        var foundKeys = found.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        return [.. found, .. keys.Where(k => !foundKeys.Contains(k)).Select(k => new BulkGetItem(k, null))];
    }

    public ValueTask SetAsync(SetOperation operation) => TransactAsync([operation]);

    public ValueTask DeleteAsync(DeleteOperation operation) => TransactAsync([operation]);

    // Multi: one operation runs alone, several in one database transaction.
    public async ValueTask TransactAsync(IReadOnlyList<StateOperation> operations)
    {
        if (operations.Count == 0)
        {
            return;
        }

        await RunAsync(async connection =>
        {
            await using var transaction = operations.Count > 1 ? await connection.BeginTransactionAsync() : null;
            foreach (var operation in operations)
            {
                await ExecuteAsync(connection, transaction, operation);
            }

            if (transaction is not null)
            {
                await transaction.CommitAsync();
            }

            return true;
        });
    }

    public async ValueTask<IReadOnlyList<string>> KeysAsync()
    {
        var keys = await RunAsync(async connection =>
        {
            await using var command = Live($"SELECT key FROM {Table} WHERE true");
            command.Connection = connection;
            await using var row = await command.ExecuteReaderAsync();
            var all = new List<string>();
            while (await row.ReadAsync())
            {
                all.Add(row.GetString(0));
            }

            return all;
        });
        return [.. keys.Order(StringComparer.Ordinal)];
    }

    public void Dispose()
    {
        _source.Dispose();
        GC.SuppressFinalize(this);
    }

    private protected static NpgsqlParameter Timestamp(DateTime? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = value is { } v ? v : DBNull.Value };

    // Positional parameters ($1, $2, ...): values, or NpgsqlParameters where the type matters.
    private protected static NpgsqlCommand Command(string sql, params object[] parameters)
    {
        var command = new NpgsqlCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(parameter as NpgsqlParameter ?? new NpgsqlParameter { Value = parameter });
        }

        return command;
    }

    private protected static DateTime? ExpiresAt(SetOperation set, DateTime now) =>
        StateOptionChecks.ParseTtl(set.Metadata) is > 0 and var ttl ? now.AddSeconds(ttl) : null;

    private async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, StateOperation operation)
    {
        StateOptionChecks.CheckOptions(operation);
        await using var command = operation switch
        {
            SetOperation set => SetCommand(set, _time.GetUtcNow().UtcDateTime),
            DeleteOperation delete => DeleteCommand(delete),
            _ => throw new StateStoreException($"unsupported operation: {operation.GetType().Name}"),
        };
        command.Connection = connection;
        command.Transaction = transaction;
        if (await command.ExecuteNonQueryAsync() != 1 && (operation.HasETag || operation is SetOperation))
        {
            throw operation.HasETag ? new StateETagException(ETagErrorKind.Mismatch) : new StateStoreException("no item was updated");
        }
    }

    // The query with "AND the row has not expired" and the emulator's now as the last parameter.
    private NpgsqlCommand Live(string sql, params object[] parameters) => Command(
        $"{sql} AND ({ExpiryColumn} IS NULL OR {ExpiryColumn} >= ${parameters.Length + 1})",
        [.. parameters, Timestamp(_time.GetUtcNow().UtcDateTime)]);

    // A database error is the store's error (daprd shows pgx's text of it).
    private async Task<T> RunAsync<T>(Func<NpgsqlConnection, Task<T>> work)
    {
        try
        {
            await using var connection = await _source.OpenConnectionAsync();
            return await work(connection);
        }
        catch (PostgresException e)
        {
            throw new StateStoreException($"{e.Severity}: {e.MessageText} (SQLSTATE {e.SqlState})");
        }
        catch (NpgsqlException e)
        {
            throw new StateStoreException(e.Message);
        }
    }
}
