namespace DaprEmulator.State;

// The state component contract the sidecar APIs, the outbox and the actors adapter use.
// Keys are raw (already prefixed by the caller). Failures throw StateETagException or
// StateStoreException. Stores are in memory, so the calls are synchronous.
public interface IStateStore
{
    string Name { get; }

    StateEntry? Get(string key);

    IReadOnlyList<BulkGetItem> BulkGet(IReadOnlyList<string> keys);

    void Set(SetOperation operation);

    void Delete(DeleteOperation operation);

    // All-or-nothing: any failure leaves the store unchanged.
    void Transact(IReadOnlyList<StateOperation> operations);

    // Test hook: the live (not expired) raw keys.
    IReadOnlyList<string> Keys();
}
