using System.Text.Json;
using Dapr.Client;
using OrderDapr.Contracts;

namespace OrderDapr.Query.ReadModel;

public sealed class DaprReadModelStore(DaprClient dapr) : IReadModelStore
{
    // With an ETag: update or delete only if unchanged. Without: insert only (see DocumentWrite).
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    public async Task<Stored<T>> GetAsync<T>(string key, CancellationToken cancellationToken) where T : class
    {
        var (value, etag) = await dapr.GetStateAndETagAsync<T>(Messaging.ReadModelStore, key, cancellationToken: cancellationToken);
        return string.IsNullOrEmpty(etag) ? Stored<T>.Missing : new Stored<T>(value, etag);
    }

    public async Task<IReadOnlyList<Stored<T>>> GetManyAsync<T>(IReadOnlyList<string> keys, CancellationToken cancellationToken) where T : class
    {
        if (keys.Count == 0)
        {
            return [];
        }

        var items = await dapr.GetBulkStateAsync<T>(Messaging.ReadModelStore, keys, parallelism: null, cancellationToken: cancellationToken);
        // Items come back in any order, a missing key as an item without value or ETag.
        var byKey = new Dictionary<string, Stored<T>>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (item.Value is not null && !string.IsNullOrEmpty(item.ETag))
            {
                byKey[item.Key] = new Stored<T>(item.Value, item.ETag);
            }
        }

        return [.. keys.Select(k => byKey.GetValueOrDefault(k) ?? Stored<T>.Missing)];
    }

    public Task CommitAsync(IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken)
    {
        var operations = writes
            .Select(w => w.Value is null
                ? new StateTransactionRequest(w.Key, null, StateOperationType.Delete, etag: w.ETag, options: FirstWrite)
                : new StateTransactionRequest(
                    w.Key,
                    JsonSerializer.SerializeToUtf8Bytes(w.Value, w.Value.GetType(), dapr.JsonSerializerOptions),
                    StateOperationType.Upsert,
                    etag: w.ETag,
                    options: FirstWrite))
            .ToList();

        return dapr.ExecuteStateTransactionAsync(Messaging.ReadModelStore, operations, cancellationToken: cancellationToken);
    }
}
