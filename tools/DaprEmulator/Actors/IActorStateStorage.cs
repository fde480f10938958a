namespace DaprEmulator.Actors;

// The actor state store of one app (the component with metadata actorStateStore: "true"), as the
// actor runtime sees it. Keys are final: the runtime builds them the way daprd does
// ({appId}||{actorType}||{actorId}||{key}). Reminders are not kept here: they are Scheduler jobs.
// The adapter throws on an ETag mismatch, and TransactAsync applies all operations or none.
public interface IActorStateStorage
{
    Task<(byte[]? Value, string? ETag)> GetAsync(string key, CancellationToken ct);

    Task TransactAsync(IReadOnlyList<ActorStateOperation> operations, CancellationToken ct);
}

public sealed record ActorStateOperation(string Key, byte[]? Value /* null = delete */, string? ETag = null);
