namespace DaprEmulator.State;

// The state component contract the sidecar APIs, the outbox and the actors adapter use.
// Keys are raw (already prefixed by the caller). Failures throw StateETagException or
// StateStoreException.
public interface IStateStore
{
    string Name { get; }

    ValueTask<StateEntry?> GetAsync(string key);

    ValueTask<IReadOnlyList<BulkGetItem>> BulkGetAsync(IReadOnlyList<string> keys);

    ValueTask SetAsync(SetOperation operation);

    ValueTask DeleteAsync(DeleteOperation operation);

    // All-or-nothing: any failure leaves the store unchanged.
    ValueTask TransactAsync(IReadOnlyList<StateOperation> operations);

    // Test hook: the live (not expired) raw keys.
    ValueTask<IReadOnlyList<string>> KeysAsync();
}
