using DaprEmulator.Actors;
using DaprEmulator.State;

namespace DaprEmulator.Hosting;

// The actor state store component (metadata actorStateStore: "true") as the actor runtime uses it:
// raw keys (the runtime prefixes them), one store transaction per call, ETag mismatches thrown.
internal sealed class ActorStateStorageAdapter(IStateStore store) : IActorStateStorage
{
    public async Task<(byte[]? Value, string? ETag)> GetAsync(string key, CancellationToken ct)
    {
        var entry = await store.GetAsync(key);
        return entry is null ? (null, null) : (entry.Value, entry.ETag);
    }

    public async Task TransactAsync(IReadOnlyList<ActorStateOperation> operations, CancellationToken ct) =>
        await store.TransactAsync([.. operations.Select(o => o.Value is null
            ? (StateOperation)new DeleteOperation(o.Key) { ETag = o.ETag }
            : new SetOperation(o.Key, o.Value) { ETag = o.ETag })]);
}
