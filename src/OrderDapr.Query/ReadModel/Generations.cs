using System.Text.Json.Serialization;

namespace OrderDapr.Query.ReadModel;

// The document `projection-generations`: which generation of the read model readers see, and
// the one a rebuild is building (null when none), which live events are also projected into.
// Changed only with its ETag, so a switch is one atomic write every replica sees alike.
public sealed record GenerationState(int Current, int? Building)
{
    // Before the first rebuild the document does not exist: today's unprefixed keys.
    public static GenerationState Initial { get; } = new(0, null);

    [JsonIgnore]
    public IReadOnlyList<int> Written => Building is { } building ? [Current, building] : [Current];
}

// The generation state as this process knows it. Every GraphQL read and every live batch needs
// it, so it is cached, and read again once it is MaxAge old: a replica follows another's switch
// within MaxAge, and a rebuild waits that long before it reads the streams, so that no replica
// projects an event the rebuild may have missed into the current generation only.
public sealed class Generations(IReadModelStore store, TimeProvider time)
{
    public const string Key = "projection-generations";

    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly Lock gate = new();
    private Snapshot? snapshot;
    private Load? loading;
    private long notBefore;

    // Stamped with the time its read was sent: the state it holds is at least that recent.
    private sealed record Snapshot(GenerationState State, long ReadAt);

    private sealed record Load(Task<GenerationState> State, long ReadAt);

    public async ValueTask<GenerationState> GetAsync(CancellationToken cancellationToken)
    {
        if (snapshot is { } cached && time.GetElapsedTime(cached.ReadAt) < MaxAge)
        {
            return cached.State;
        }

        Task<GenerationState> load;
        lock (gate)
        {
            // Concurrent readers share one read, as long as it was sent recently enough.
            if (loading is not { } current || time.GetElapsedTime(current.ReadAt) >= MaxAge)
            {
                var readAt = time.GetTimestamp();
                current = new Load(LoadAsync(readAt), readAt);
                loading = current;
            }

            load = current.State;
        }

        return await load.WaitAsync(cancellationToken);
    }

    // The document with its ETag, for the writers of it.
    public async Task<Stored<GenerationState>> ReadAsync(CancellationToken cancellationToken) =>
        await store.GetAsync<GenerationState>(Key, cancellationToken) is { Value: not null } stored
            ? stored
            : new Stored<GenerationState>(GenerationState.Initial, null);

    // After this process wrote the document: the next GetAsync reads it again, and no read sent
    // before the write can put the old state back.
    public void Forget()
    {
        lock (gate)
        {
            notBefore = time.GetTimestamp();
            snapshot = null;
            loading = null;
        }
    }

    private async Task<GenerationState> LoadAsync(long readAt)
    {
        try
        {
            var state = (await ReadAsync(CancellationToken.None)).Value!;
            lock (gate)
            {
                if (readAt >= notBefore && (snapshot is null || snapshot.ReadAt < readAt))
                {
                    snapshot = new Snapshot(state, readAt);
                }
            }

            return state;
        }
        catch
        {
            lock (gate)
            {
                if (loading?.ReadAt == readAt)
                {
                    loading = null; // a failed read is not shared with later readers
                }
            }

            throw;
        }
    }
}
