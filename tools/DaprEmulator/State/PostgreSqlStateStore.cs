using System.Globalization;

namespace DaprEmulator.State;

// state.postgresql, read from components-contrib state/postgresql/v2/postgresql.go and
// common/component/postgresql/v1/postgresql.go, emulated over a table of rows (IStateTable: in
// memory, or in SQLite). One table per component, shared by every sidecar that loads the component
// (they would all point at the same database).
//   v2: the ETag is a random UUID per row write; a malformed ETag is reported as a *mismatch*
//       ("Return an etag mismatch error right away if the etag is invalid").
//   v1: the ETag is the row's xmin (the writing transaction id, shared by the rows of one
//       transaction); a malformed ETag (not a uint32) is an *invalid* ETag.
// Both: no ETag = upsert (last write wins); ETag = UPDATE ... WHERE etag = $3 AND not expired (a
// missing key is a mismatch); first-write without ETag inserts, or updates an expired row, otherwise
// fails with "no item was updated"; Multi runs in one database transaction (all or nothing).
public sealed class PostgreSqlStateStore : IStateStore, IDisposable
{
    private readonly Lock _lock = new();
    private readonly bool _v2;
    private readonly TimeProvider _time;
    private readonly IStateTable _table;
    private uint _xid;

    public PostgreSqlStateStore(string name, bool v2, TimeProvider time, IStateTable? table = null)
    {
        Name = name;
        _v2 = v2;
        _time = time;
        _table = table ?? new MemoryStateTable();
        _xid = v2 ? 0 : (uint)Math.Clamp(_table.HighestIntegerETag(), 700, uint.MaxValue - 1);
    }

    public string Name { get; }

    public ValueTask<StateEntry?> GetAsync(string key) => SyncCalls.Run(() => Get(key));

    public ValueTask<IReadOnlyList<BulkGetItem>> BulkGetAsync(IReadOnlyList<string> keys) => SyncCalls.Run(() => BulkGet(keys));

    public ValueTask SetAsync(SetOperation operation) => TransactAsync([operation]);

    public ValueTask DeleteAsync(DeleteOperation operation) => TransactAsync([operation]);

    // Decided under the lock, in order; acknowledged once the table has stored it.
    public ValueTask TransactAsync(IReadOnlyList<StateOperation> operations)
    {
        try
        {
            return new ValueTask(Transact(operations));
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    public ValueTask<IReadOnlyList<string>> KeysAsync() =>
        SyncCalls.Run<IReadOnlyList<string>>(() => [.. _table.All().Where(r => !IsExpired(r.Value)).Select(r => r.Key).Order(StringComparer.Ordinal)]);

    internal StateEntry? Get(string key)
    {
        PostgreSqlETags.RequireKey(key, "get");
        return Live(_table.Find(key)) is { } row ? new StateEntry(row.Value, row.ETag, row.ExpiresAt) : null;
    }

    // Found rows first, then the missing keys as empty items, like the v2 query (key = ANY($1)).
    private IReadOnlyList<BulkGetItem> BulkGet(IReadOnlyList<string> keys)
    {
        var found = _table.FindMany(keys)
            .Where(r => !IsExpired(r.Value))
            .Select(r => new BulkGetItem(r.Key, new StateEntry(r.Value.Value, r.Value.ETag, r.Value.ExpiresAt)))
            .ToList();
        var foundKeys = found.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        return [.. found, .. keys.Where(k => !foundKeys.Contains(k)).Select(k => new BulkGetItem(k, null))];
    }

    internal Task Transact(IReadOnlyList<StateOperation> operations)
    {
        lock (_lock)
        {
            // Statements run in order inside one transaction: their writes go to a pending set
            // that later statements read through, and reach the table only if all succeed.
            var pending = new PendingRows(this);
            var xmin = NextEtag();
            foreach (var op in operations)
            {
                Apply(pending, op, _v2 ? NextEtag() : xmin);
            }

            return pending.Commit();
        }
    }

    // Rows a transaction read or wrote: what it costs, whatever the size of the table.
    internal long RowsVisited { get; private set; }

    public void Dispose() => _table.Dispose();

    private string NextEtag() => _v2 ? Guid.NewGuid().ToString() : (++_xid).ToString(CultureInfo.InvariantCulture);

    private StateRow? Live(StateRow? row) => row is not null && !IsExpired(row) ? row : null;

    private StateRow? Live(PendingRows rows, string key) =>
        rows.TryGetValue(key, out var row) && !IsExpired(row) ? row : null;

    private bool IsExpired(StateRow row) => row.ExpiresAt is { } at && (_v2 ? at < _time.GetUtcNow() : at <= _time.GetUtcNow());

    private void Apply(PendingRows rows, StateOperation op, string newEtag)
    {
        StateOptionChecks.CheckOptions(op);
        switch (op)
        {
            case SetOperation set:
                PostgreSqlETags.RequireKey(set.Key, "set");
                ApplySet(rows, set, newEtag);
                break;
            case DeleteOperation delete:
                PostgreSqlETags.RequireKey(delete.Key, "delete");
                ApplyDelete(rows, delete);
                break;
            default:
                throw new StateStoreException($"unsupported operation: {op.GetType().Name}");
        }
    }

    private void ApplySet(PendingRows rows, SetOperation set, string newEtag)
    {
        var value = !set.ValueIsJson ? set.Value : _v2 ? JsonStateValue.Remarshal(set.Value) : JsonStateValue.RemarshalToJsonb(set.Value);
        var ttl = StateOptionChecks.ParseTtl(set.Metadata);
        DateTimeOffset? expiresAt = ttl > 0 ? _time.GetUtcNow().AddSeconds(ttl.Value) : null;
        if (set.HasETag)
        {
            var expected = ParseEtag(set.ETag!);
            if (Live(rows, set.Key) is not { } current || !SameEtag(current.ETag, expected))
            {
                throw new StateETagException(ETagErrorKind.Mismatch);
            }
        }
        else if (set.Concurrency == "first-write" && Live(rows, set.Key) is not null)
        {
            // INSERT ... ON CONFLICT DO UPDATE ... WHERE the row is expired: 0 rows affected.
            throw new StateStoreException("no item was updated");
        }

        rows.Set(set.Key, new StateRow(value, newEtag, expiresAt));
    }

    private void ApplyDelete(PendingRows rows, DeleteOperation delete)
    {
        if (!delete.HasETag)
        {
            rows.Remove(delete.Key);
            return;
        }

        // DELETE ... WHERE key = $1 AND etag = $2 (the expiry is not checked here).
        var expected = ParseEtag(delete.ETag!);
        if (!rows.TryGetValue(delete.Key, out var row) || !SameEtag(row.ETag, expected))
        {
            throw new StateETagException(ETagErrorKind.Mismatch);
        }

        rows.Remove(delete.Key);
    }

    private string ParseEtag(string etag) => _v2
        ? PostgreSqlETags.ParseV2(etag).ToString()
        : PostgreSqlETags.ParseV1(etag).ToString(CultureInfo.InvariantCulture);

    private static bool SameEtag(string stored, string expected) => string.Equals(stored, expected, StringComparison.OrdinalIgnoreCase);

    // The writes of a running transaction over the committed table.
    private sealed class PendingRows(PostgreSqlStateStore store)
    {
        private readonly Dictionary<string, StateRow?> _writes = new(StringComparer.Ordinal);

        public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StateRow? row)
        {
            store.RowsVisited++;
            if (_writes.TryGetValue(key, out row))
            {
                return row is not null;
            }

            row = store._table.FindForWrite(key);
            return row is not null;
        }

        public void Set(string key, StateRow row)
        {
            store.RowsVisited++;
            _writes[key] = row;
        }

        public void Remove(string key)
        {
            store.RowsVisited++;
            _writes[key] = null;
        }

        public Task Commit() => store._table.Commit(_writes);
    }
}
