using System.Globalization;

namespace DaprEmulator.State;

// state.in-memory (components-contrib state/in-memory/in_memory.go). Real daprd keeps it inside the
// sidecar process, so every sidecar gets its own instance. ETags are UUIDs; every ETag problem is a
// mismatch (also first-write on an existing key); Multi checks all ETags against the state before
// the transaction, then applies every operation.
public sealed class InMemoryStateStore(string name, TimeProvider time) : IStateStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Item> _items = new(StringComparer.Ordinal);

    private sealed record Item(byte[] Data, string ETag, DateTimeOffset? Expire);

    public string Name { get; } = name;

    public ValueTask<StateEntry?> GetAsync(string key) => SyncCalls.Run(() =>
    {
        lock (_lock)
        {
            return Live(key) is { } item ? new StateEntry(item.Data, item.ETag, item.Expire) : null;
        }
    });

    public ValueTask<IReadOnlyList<BulkGetItem>> BulkGetAsync(IReadOnlyList<string> keys) => SyncCalls.Run<IReadOnlyList<BulkGetItem>>(() =>
    {
        lock (_lock)
        {
            return [.. keys.Select(k => Live(k) is { } item ? new BulkGetItem(k, new StateEntry(item.Data, item.ETag, item.Expire)) : new BulkGetItem(k, null))];
        }
    });

    public ValueTask SetAsync(SetOperation operation) => SyncCalls.Run(() => Transact([operation]));

    public ValueTask DeleteAsync(DeleteOperation operation) => SyncCalls.Run(() => Transact([operation]));

    public ValueTask TransactAsync(IReadOnlyList<StateOperation> operations) => SyncCalls.Run(() => Transact(operations));

    private void Transact(IReadOnlyList<StateOperation> operations)
    {
        var prepared = operations.Select(Prepare).ToList();
        lock (_lock)
        {
            foreach (var op in operations)
            {
                ValidateEtag(op);
            }

            foreach (var (op, data, ttl) in prepared)
            {
                if (op is SetOperation)
                {
                    _items[op.Key] = new Item(data!, Guid.NewGuid().ToString(), ttl > 0 ? time.GetUtcNow().AddSeconds(ttl) : null);
                }
                else
                {
                    _items.Remove(op.Key);
                }
            }
        }
    }

    public ValueTask<IReadOnlyList<string>> KeysAsync() => SyncCalls.Run<IReadOnlyList<string>>(() =>
    {
        lock (_lock)
        {
            return [.. _items.Keys.Where(k => Live(k) is not null).Order(StringComparer.Ordinal)];
        }
    });

    private static (StateOperation Op, byte[]? Data, int Ttl) Prepare(StateOperation op)
    {
        StateOptionChecks.CheckOptions(op);
        if (op is not SetOperation set)
        {
            return (op, null, 0);
        }

        var ttl = 0;
        if (set.Metadata.TryGetValue("ttlInSeconds", out var text) && text.Length > 0)
        {
            // doParseTTLInSeconds: strconv.Atoi, negative values mean no expiry.
            if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out ttl))
            {
                throw new StateStoreException($"strconv.Atoi: parsing \"{text}\": invalid syntax");
            }

            ttl = Math.Max(ttl, 0);
        }

        return (op, set.ValueIsJson ? JsonStateValue.Remarshal(set.Value) : set.Value, ttl);
    }

    private void ValidateEtag(StateOperation op)
    {
        if (op.Concurrency == "first-write" && !op.HasETag)
        {
            if (Live(op.Key) is not null)
            {
                throw new StateETagException(ETagErrorKind.Mismatch, "item already exists and no etag was passed");
            }
        }
        else if (op.HasETag)
        {
            var item = Live(op.Key) ?? throw new StateETagException(ETagErrorKind.Mismatch, $"state not exist or expired for key={op.Key}");
            if (item.ETag != op.ETag)
            {
                throw new StateETagException(ETagErrorKind.Mismatch, $"state etag not match for key={op.Key}: current={item.ETag}, expect={op.ETag}");
            }
        }
    }

    private Item? Live(string key)
    {
        if (!_items.TryGetValue(key, out var item))
        {
            return null;
        }

        if (item.Expire is { } at && at <= time.GetUtcNow())
        {
            _items.Remove(key);
            return null;
        }

        return item;
    }
}
