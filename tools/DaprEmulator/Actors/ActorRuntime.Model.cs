namespace DaprEmulator.Actors;

public sealed partial class ActorRuntime
{
    // An app registered by its sidecar. Types is empty when the app hosts no actors, or when it
    // does but has no actor state store (daprd then disables hosting).
    // AppApiToken is the APP_API_TOKEN of the app's sidecar: daprd sends it on every call to its app,
    // so the runtime, shared by all sidecars, sends the token of the app it calls.
    private sealed class ActorHost(string appId, Uri baseAddress, string? appApiToken, IActorStateStorage? storage, IReadOnlyDictionary<string, TimeSpan> idleTimeoutByType)
    {
        public string AppId { get; } = appId;

        public string? AppApiToken { get; } = appApiToken;

        public string Address { get; } = baseAddress.AbsoluteUri.TrimEnd('/');

        public IActorStateStorage? Storage { get; } = storage;

        public IReadOnlyDictionary<string, TimeSpan> IdleTimeoutByType { get; } = idleTimeoutByType;

        public bool Hosts(string actorType) => IdleTimeoutByType.ContainsKey(actorType);

        public override string ToString() => $"{AppId} at {Address}";
    }

    // One actor id of one type: its turn, and where it is active. Kept while it is active or
    // while anybody holds or waits for its turn (Users), so that all of them share one TurnLock.
    private sealed class ActorSlot(string actorType, string actorId)
    {
        public string ActorType { get; } = actorType;

        public string ActorId { get; } = actorId;

        public TurnLock Turn { get; } = new();

        public ActorHost? ActiveOn { get; set; }

        public DateTimeOffset IdleAt { get; set; }

        public int Users { get; set; }

        public bool Deactivating { get; set; }

        // When its entry in the idle queue is due, while it has one that is not stale.
        public DateTimeOffset? IdleEntry { get; set; }
    }

    private sealed class ActorTimer(string actorType, string actorId, string name) : ScheduledCallback(actorId, name)
    {
        public string ActorType { get; } = actorType;

        public required string Callback { get; init; }
    }
}
