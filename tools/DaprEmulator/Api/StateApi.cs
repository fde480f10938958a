using DaprEmulator.Hosting;
using DaprEmulator.State;
using Grpc.Core;

namespace DaprEmulator.Api;

// The state API semantics shared by the gRPC and HTTP endpoints (dapr pkg/api/grpc/grpc.go and
// pkg/api/http/http.go): key prefixing, the store call, and daprd's error codes and texts.
internal sealed class StateApi(SidecarContext context)
{
    // gRPC passes no app id into the not-found error (Universal.GetStateStore), HTTP does.
    public LoadedStateStore Resolve(string storeName, bool http)
    {
        var appId = http ? context.AppId : "";
        if (context.Components.StateStores.Count == 0)
        {
            throw DaprErrors.StateStoresNotConfigured(storeName, appId);
        }

        return context.Components.StateStores.GetValueOrDefault(storeName) ?? throw DaprErrors.StateStoreNotFound(storeName, appId);
    }

    public string Key(LoadedStateStore store, string key)
    {
        try
        {
            return store.KeyPrefix.Apply(key, context.AppId);
        }
        catch (InvalidStateKeyException e)
        {
            throw DaprErrors.InvalidKey(store.Definition.Name, e);
        }
    }

    public async Task<StateEntry?> GetAsync(string storeName, string key, bool http)
    {
        var store = Resolve(storeName, http);
        var raw = Key(store, key);
        try
        {
            if (Fault(storeName) is { } fault)
            {
                throw fault;
            }

            return await store.Store.GetAsync(raw);
        }
        catch (Exception e) when (e is StateStoreException or StateETagException)
        {
            throw DaprErrors.Basic(StatusCode.Internal, 500, "ERR_STATE_GET", $"fail to get {key} from state store {storeName}: {e.Message}");
        }
    }

    public async Task<IReadOnlyList<BulkGetItem>> BulkGetAsync(string storeName, IReadOnlyList<string> keys, bool http)
    {
        var store = Resolve(storeName, http);
        if (keys.Count == 0)
        {
            return [];
        }

        var raw = keys.Select(k => Key(store, k)).ToList();
        if (Fault(storeName) is { } fault)
        {
            // GetBulkState returns the store's error as is (gRPC Unknown); onBulkGetState answers 500 ERR_STATE_BULK_GET.
            throw new DaprApiException(StatusCode.Unknown, 500, "ERR_STATE_BULK_GET", fault.Message);
        }

        return [.. (await store.Store.BulkGetAsync(raw)).Select(i => i with { Key = StateKeyPrefix.Strip(i.Key) })];
    }

    // SaveState: one item is a Set, several a bulk set where each item stands alone
    // (DefaultBulkStore); when every failure is an ETag error, the answer is an ETag error.
    public async Task SaveAsync(string storeName, IReadOnlyList<SetOperation> items, bool http)
    {
        var store = Resolve(storeName, http);
        var operations = new List<SetOperation>();
        foreach (var item in items)
        {
            if (item.Key.Length == 0)
            {
                throw http
                    ? DaprErrors.MalformedRequest("\"key\" is a required field")
                    : DaprErrors.Basic(StatusCode.InvalidArgument, 400, "ERR_STATE_SAVE", "state key cannot be empty");
            }

            operations.Add(item with { Key = Key(store, item.Key) });
        }

        if (operations.Count == 0)
        {
            return;
        }

        var error = Fault(storeName) ?? await BulkAsync(operations, store.Store.SetAsync);
        if (error is not null)
        {
            throw StoreError(error, "ERR_STATE_SAVE", $"failed saving state in state store {storeName}");
        }
    }

    public async Task DeleteAsync(string storeName, DeleteOperation operation, bool http)
    {
        var store = Resolve(storeName, http);
        var raw = operation with { Key = Key(store, operation.Key) };
        try
        {
            if (Fault(storeName) is { } fault)
            {
                throw fault;
            }

            await store.Store.DeleteAsync(raw);
        }
        catch (Exception e) when (e is StateStoreException or StateETagException)
        {
            throw StoreError(e, "ERR_STATE_DELETE", $"failed deleting state with key {operation.Key}");
        }
    }

    public async Task DeleteBulkAsync(string storeName, IReadOnlyList<DeleteOperation> operations)
    {
        var store = Resolve(storeName, http: false);
        var raw = operations.Select(o => o with { Key = Key(store, o.Key) }).ToList();
        var error = Fault(storeName) ?? await BulkAsync(raw, store.Store.DeleteAsync);
        if (error is not null)
        {
            throw StoreError(error, "ERR_STATE_BULK_DELETE", $"failed deleting state in state store {storeName}");
        }
    }

    // ExecuteStateTransaction: the outbox (if on) rewrites the operations and publishes before the
    // commit; every store error, an ETag mismatch included, comes back as Internal.
    public async Task TransactAsync(string storeName, IReadOnlyList<StateOperation> operations, string? traceParent, string? traceState, bool http)
    {
        var store = Resolve(storeName, http);
        IReadOnlyList<StateOperation> raw = [.. operations.Select(o => o with { Key = Key(store, o.Key) })];

        // An injected failure comes before the outbox's publish: a failed transaction leaves no trace.
        if (Fault(storeName) is { } fault)
        {
            throw TransactionError(fault);
        }

        if (context.Outbox.Enabled(storeName))
        {
            try
            {
                var (traceId, state) = PubSub.TraceContext.FromCaller(traceParent, traceState);
                raw = await context.Outbox.PublishInternalAsync(storeName, raw, traceId, state);
            }
            catch (Exception e) when (e is PubSub.PubSubNotFoundException or ObjectDisposedException or InvalidOperationException)
            {
                throw DaprErrors.Outbox(context.AppId, e.Message);
            }
        }

        try
        {
            await store.Store.TransactAsync(raw);
        }
        catch (Exception e) when (e is StateStoreException or StateETagException)
        {
            throw TransactionError(e);
        }
    }

    private static DaprApiException TransactionError(Exception e) =>
        DaprErrors.Basic(StatusCode.Internal, 500, "ERR_STATE_TRANSACTION", $"error while executing state transaction: {e.Message}");

    private StateStoreException? Fault(string storeName) => context.Faults?.StateCallFailure(storeName);

    private static async Task<Exception?> BulkAsync<T>(IReadOnlyList<T> operations, Func<T, ValueTask> apply)
        where T : StateOperation
    {
        if (operations.Count == 1)
        {
            try
            {
                await apply(operations[0]);
                return null;
            }
            catch (Exception e) when (e is StateStoreException or StateETagException)
            {
                return e;
            }
        }

        var errors = new List<Exception>();
        foreach (var op in operations)
        {
            try
            {
                await apply(op);
            }
            catch (Exception e) when (e is StateStoreException or StateETagException)
            {
                errors.Add(e);
            }
        }

        if (errors.Count == 0)
        {
            return null;
        }

        var joined = string.Join("\n", errors.Select(e => e.Message));
        if (errors.All(e => e is StateETagException))
        {
            var kind = errors.Any(e => e is StateETagException { Kind: ETagErrorKind.Invalid }) ? ETagErrorKind.Invalid : ETagErrorKind.Mismatch;
            return new StateETagException(kind, joined);
        }

        return new StateStoreException(joined);
    }

    // getStateErrorCode (gRPC) and etagError/stateErrorResponse (HTTP).
    private static DaprApiException StoreError(Exception error, string errorCode, string prefix) => error switch
    {
        StateETagException { Kind: ETagErrorKind.Mismatch } => DaprErrors.Basic(StatusCode.Aborted, 409, errorCode, $"{prefix}: {error.Message}"),
        StateETagException { Kind: ETagErrorKind.Invalid } => DaprErrors.Basic(StatusCode.InvalidArgument, 400, errorCode, $"{prefix}: {error.Message}"),
        _ => DaprErrors.Basic(StatusCode.Internal, 500, errorCode, $"{prefix}: {error.Message}"),
    };
}
