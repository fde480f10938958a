using System.Globalization;

namespace DaprEmulator.State;

// state.postgresql, read from components-contrib state/postgresql/v2/postgresql.go and
// common/component/postgresql/v1/postgresql.go. One table per component, shared by every sidecar
// that loads the component (they would all point at the same database).
//   v2: the ETag is a random UUID per row write; a malformed ETag is reported as a *mismatch*
//       ("Return an etag mismatch error right away if the etag is invalid").
//   v1: the ETag is the row's xmin (the writing transaction id, shared by the rows of one
//       transaction); a malformed ETag (not a uint32) is an *invalid* ETag.
// Both: no ETag = upsert (last write wins); ETag = UPDATE ... WHERE etag = $3 AND not expired (a
// missing key is a mismatch); first-write without ETag inserts, or updates an expired row, otherwise
// fails with "no item was updated"; Multi runs in one database transaction (all or nothing).
public sealed class PostgreSqlStateStore(string name, bool v2, TimeProvider time) : IStateStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Row> _rows = new(StringComparer.Ordinal);
    private uint _xid = 700;

    private sealed record Row(byte[] Value, string ETag, DateTimeOffset? ExpiresAt);

    public string Name { get; } = name;

    public StateEntry? Get(string key)
    {
        RequireKey(key, "get");
        lock (_lock)
        {
            return Live(_rows, key) is { } row ? new StateEntry(row.Value, row.ETag, row.ExpiresAt) : null;
        }
    }

    // Found rows first, then the missing keys as empty items, like the v2 query (key = ANY($1)).
    public IReadOnlyList<BulkGetItem> BulkGet(IReadOnlyList<string> keys)
    {
        lock (_lock)
        {
            var found = keys.Distinct(StringComparer.Ordinal)
                .Select(k => (Key: k, Row: Live(_rows, k)))
                .Where(x => x.Row is not null)
                .Select(x => new BulkGetItem(x.Key, new StateEntry(x.Row!.Value, x.Row.ETag, x.Row.ExpiresAt)))
                .ToList();
            var foundKeys = found.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
            return [.. found, .. keys.Where(k => !foundKeys.Contains(k)).Select(k => new BulkGetItem(k, null))];
        }
    }

    public void Set(SetOperation operation) => Transact([operation]);

    public void Delete(DeleteOperation operation) => Transact([operation]);

    public void Transact(IReadOnlyList<StateOperation> operations)
    {
        lock (_lock)
        {
            // Statements run in order inside one transaction: their writes go to a pending set
            // that later statements read through, and reach the table only if all succeed.
            var pending = new PendingRows(this);
            var xmin = NextEtag();
            foreach (var op in operations)
            {
                Apply(pending, op, v2 ? NextEtag() : xmin);
            }

            pending.Commit();
        }
    }

    // Rows a transaction read or wrote: what it costs, whatever the size of the table.
    internal long RowsVisited { get; private set; }

    public IReadOnlyList<string> Keys()
    {
        lock (_lock)
        {
            return [.. _rows.Keys.Where(k => Live(_rows, k) is not null).Order(StringComparer.Ordinal)];
        }
    }

    private string NextEtag() => v2 ? Guid.NewGuid().ToString() : (++_xid).ToString(CultureInfo.InvariantCulture);

    private Row? Live(Dictionary<string, Row> rows, string key) =>
        rows.TryGetValue(key, out var row) && !IsExpired(row) ? row : null;

    private Row? Live(PendingRows rows, string key) =>
        rows.TryGetValue(key, out var row) && !IsExpired(row) ? row : null;

    private bool IsExpired(Row row) => row.ExpiresAt is { } at && (v2 ? at < time.GetUtcNow() : at <= time.GetUtcNow());

    private void Apply(PendingRows rows, StateOperation op, string newEtag)
    {
        StateOptionChecks.CheckOptions(op);
        switch (op)
        {
            case SetOperation set:
                RequireKey(set.Key, "set");
                ApplySet(rows, set, newEtag);
                break;
            case DeleteOperation delete:
                RequireKey(delete.Key, "delete");
                ApplyDelete(rows, delete);
                break;
            default:
                throw new StateStoreException($"unsupported operation: {op.GetType().Name}");
        }
    }

    private void ApplySet(PendingRows rows, SetOperation set, string newEtag)
    {
        var value = !set.ValueIsJson ? set.Value : v2 ? JsonStateValue.Remarshal(set.Value) : JsonStateValue.RemarshalToJsonb(set.Value);
        var ttl = StateOptionChecks.ParseTtl(set.Metadata);
        DateTimeOffset? expiresAt = ttl > 0 ? time.GetUtcNow().AddSeconds(ttl.Value) : null;
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

        rows.Set(set.Key, new Row(value, newEtag, expiresAt));
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

    private string ParseEtag(string etag)
    {
        if (v2)
        {
            return Guid.TryParse(etag, out var uuid)
                ? uuid.ToString()
                : throw new StateETagException(ETagErrorKind.Mismatch, etag.Length is 36 or 32 or 38 ? "invalid UUID format" : $"invalid UUID length: {etag.Length}");
        }

        return uint.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var xmin)
            ? xmin.ToString(CultureInfo.InvariantCulture)
            : throw new StateETagException(ETagErrorKind.Invalid, $"strconv.ParseUint: parsing \"{etag}\": {(etag.All(char.IsAsciiDigit) && etag.Length > 0 ? "value out of range" : "invalid syntax")}");
    }

    private static bool SameEtag(string stored, string expected) => string.Equals(stored, expected, StringComparison.OrdinalIgnoreCase);

    private static void RequireKey(string key, string operation)
    {
        if (key.Length == 0)
        {
            throw new StateStoreException($"missing key in {operation} operation");
        }
    }

    // The writes of a running transaction over the committed table.
    private sealed class PendingRows(PostgreSqlStateStore store)
    {
        private readonly Dictionary<string, Row?> _writes = new(StringComparer.Ordinal);

        public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Row? row)
        {
            store.RowsVisited++;
            if (_writes.TryGetValue(key, out row))
            {
                return row is not null;
            }

            return store._rows.TryGetValue(key, out row);
        }

        public void Set(string key, Row row)
        {
            store.RowsVisited++;
            _writes[key] = row;
        }

        public void Remove(string key)
        {
            store.RowsVisited++;
            _writes[key] = null;
        }

        public void Commit()
        {
            foreach (var (key, row) in _writes)
            {
                if (row is null)
                {
                    store._rows.Remove(key);
                }
                else
                {
                    store._rows[key] = row;
                }
            }
        }
    }
}
