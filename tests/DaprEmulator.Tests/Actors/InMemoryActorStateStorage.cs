using System.Globalization;
using System.Text;
using DaprEmulator.Actors;

namespace DaprEmulator.Tests.Actors;

// A transactional actor state store for the tests: numeric ETags, all-or-nothing transactions.
// Counts the keys it was asked to read or write.
internal sealed class InMemoryActorStateStorage : IActorStateStorage
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, (byte[] Value, long Version)> items = new(StringComparer.Ordinal);
    private long version;
    private long keysTouched;

    public long KeysTouched
    {
        get
        {
            lock (gate)
            {
                return keysTouched;
            }
        }
    }

    public IReadOnlyList<string> Keys
    {
        get
        {
            lock (gate)
            {
                return [.. items.Keys];
            }
        }
    }

    public string? Text(string key)
    {
        lock (gate)
        {
            return items.TryGetValue(key, out var item) ? Encoding.UTF8.GetString(item.Value) : null;
        }
    }

    public Task<(byte[]? Value, string? ETag)> GetAsync(string key, CancellationToken ct)
    {
        lock (gate)
        {
            keysTouched++;
            return Task.FromResult<(byte[]?, string?)>(
                items.TryGetValue(key, out var item) ? (item.Value, item.Version.ToString(CultureInfo.InvariantCulture)) : (null, null));
        }
    }

    public Task TransactAsync(IReadOnlyList<ActorStateOperation> operations, CancellationToken ct)
    {
        lock (gate)
        {
            keysTouched += operations.Count;
            foreach (var operation in operations.Where(o => o.ETag is not null))
            {
                if (!items.TryGetValue(operation.Key, out var item) || item.Version.ToString(CultureInfo.InvariantCulture) != operation.ETag)
                {
                    throw new InvalidOperationException($"possible etag mismatch on {operation.Key}");
                }
            }

            foreach (var operation in operations)
            {
                if (operation.Value is null)
                {
                    items.Remove(operation.Key);
                }
                else
                {
                    items[operation.Key] = (operation.Value, ++version);
                }
            }
        }

        return Task.CompletedTask;
    }
}
