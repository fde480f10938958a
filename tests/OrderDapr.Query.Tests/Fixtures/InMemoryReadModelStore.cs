using System.Text.Json;
using OrderDapr.Query.ReadModel;

namespace OrderDapr.Query.Tests.Fixtures;

// The `readmodel` store with Dapr's rules: documents round-trip through JSON as with the
// DaprClient's serializer, an ETag write or delete succeeds only on that ETag, a write without
// ETag (first-write) only when the key is absent, and a transaction is all or nothing.
public sealed class InMemoryReadModelStore : IReadModelStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Lock gate = new();
    private readonly Dictionary<string, (string Json, string ETag)> items = new(StringComparer.Ordinal);
    private int lastETag;

    // Set to make the next commits throw, as an unreachable sidecar would.
    public Exception? CommitFailure { get; set; }

    public int Commits { get; private set; }

    // Documents read (each key of a bulk read counts) and written, for tests that count work.
    public int DocumentsRead { get; private set; }

    public int DocumentsWritten { get; private set; }

    public int Conflicts { get; private set; }

    // The keys of every read, one entry per call (a single get or a bulk read), in order.
    public IReadOnlyList<(bool Bulk, IReadOnlyList<string> Keys)> ReadLog
    {
        get
        {
            lock (gate)
            {
                return [.. readLog];
            }
        }
    }

    private readonly List<(bool Bulk, IReadOnlyList<string> Keys)> readLog = [];

    // The reads that asked for at least one key starting with `prefix` (e.g. "order-").
    public IReadOnlyList<(bool Bulk, IReadOnlyList<string> Keys)> ReadsOf(string prefix) =>
        [.. ReadLog.Where(r => r.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal)))];

    // Every committed transaction, in order.
    public IReadOnlyList<IReadOnlyList<DocumentWrite>> CommitLog
    {
        get
        {
            lock (gate)
            {
                return [.. commitLog];
            }
        }
    }

    private readonly List<IReadOnlyList<DocumentWrite>> commitLog = [];

    public IReadOnlyCollection<string> Keys
    {
        get
        {
            lock (gate)
            {
                return items.Keys.Order(StringComparer.Ordinal).ToList();
            }
        }
    }

    public string? RawJson(string key)
    {
        lock (gate)
        {
            return items.TryGetValue(key, out var item) ? item.Json : null;
        }
    }

    public T? Peek<T>(string key) where T : class =>
        RawJson(key) is { } json ? JsonSerializer.Deserialize<T>(json, Json) : null;

    // Runs after a single read (GetAsync) read its document and before it answers: a test holds a
    // read there to let writes happen between the two.
    public Func<string, Task>? AfterSingleRead { get; set; }

    public async Task<Stored<T>> GetAsync<T>(string key, CancellationToken cancellationToken) where T : class
    {
        await Task.Yield(); // let concurrent deliveries interleave between read and write
        Log(bulk: false, [key]);
        var stored = Read<T>(key);
        if (AfterSingleRead is { } after)
        {
            await after(key);
        }

        return stored;
    }

    public async Task<IReadOnlyList<Stored<T>>> GetManyAsync<T>(IReadOnlyList<string> keys, CancellationToken cancellationToken) where T : class
    {
        await Task.Yield();
        Log(bulk: true, keys);
        return [.. keys.Select(Read<T>)];
    }

    private void Log(bool bulk, IReadOnlyList<string> keys)
    {
        lock (gate)
        {
            readLog.Add((bulk, [.. keys]));
        }
    }

    private Stored<T> Read<T>(string key) where T : class
    {
        lock (gate)
        {
            DocumentsRead++;
            return items.TryGetValue(key, out var item)
                ? new Stored<T>(JsonSerializer.Deserialize<T>(item.Json, Json), item.ETag)
                : Stored<T>.Missing;
        }
    }

    public async Task CommitAsync(IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (CommitFailure is { } failure)
        {
            throw failure;
        }

        lock (gate)
        {
            foreach (var write in writes)
            {
                var exists = items.TryGetValue(write.Key, out var current);
                if (write.ETag is null ? exists || write.Value is null : !exists || current.ETag != write.ETag)
                {
                    Conflicts++;
                    throw new InvalidOperationException($"ETag mismatch on {write.Key}.");
                }
            }

            DocumentsWritten += writes.Count;
            foreach (var write in writes)
            {
                if (write.Value is null)
                {
                    items.Remove(write.Key);
                }
                else
                {
                    items[write.Key] = (JsonSerializer.Serialize(write.Value, write.Value.GetType(), Json), NextETag());
                }
            }

            commitLog.Add([.. writes]);
            Commits++;
        }
    }

    // Tampering from outside the service, as a broken deployment or an operator might.
    public void Remove(string key)
    {
        lock (gate)
        {
            items.Remove(key);
        }
    }

    public void Overwrite(string key, string json)
    {
        lock (gate)
        {
            items[key] = (json, NextETag());
        }
    }

    private string NextETag() => (++lastETag).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
