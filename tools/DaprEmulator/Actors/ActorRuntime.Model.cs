namespace DaprEmulator.Actors;

public sealed partial class ActorRuntime
{
    // An app registered by its sidecar. Types is empty when the app hosts no actors, or when it
    // does but has no actor state store (daprd then disables hosting).
    private sealed class ActorHost(string appId, Uri baseAddress, IActorStateStorage? storage, IReadOnlyDictionary<string, TimeSpan> idleTimeoutByType)
    {
        public string AppId { get; } = appId;

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

        // The loop found the actor idle but in a turn: the end of the turn wakes the loop.
        public bool KickOnRelease { get; set; }
    }

    // What a timer and a reminder share: the registration, and where its ticks have got to.
    private abstract class ScheduledCallback(string actorId, string name)
    {
        public string ActorId { get; } = actorId;

        public string Name { get; } = name;

        public required string? Data { get; init; }

        public required string DueTime { get; init; }

        public required string Period { get; init; }

        public required DaprPeriod ParsedPeriod { get; init; }

        public required DateTimeOffset? Expiration { get; init; }

        public required DateTimeOffset NextDue { get; set; }

        public required int RepeatsLeft { get; set; }

        public bool InFlight { get; set; }

        // After a tick: when the next one is due and how many are left then, or null when that
        // was the last one (canceled by the app, out of repetitions, no period, or expired).
        public (DateTimeOffset Due, int RepeatsLeft)? NextTick(bool canceled)
        {
            var repeats = RepeatsLeft > 0 ? RepeatsLeft - 1 : RepeatsLeft;
            if (canceled || repeats == 0 || ParsedPeriod.IsZero)
            {
                return null;
            }

            var next = ParsedPeriod.Following(NextDue);
            return Expiration is { } expiration && next >= expiration ? null : (next, repeats);
        }
    }

    private sealed class ActorTimer(string actorType, string actorId, string name) : ScheduledCallback(actorId, name)
    {
        public string ActorType { get; } = actorType;

        public required string Callback { get; init; }
    }

    private sealed class Reminder(string actorId, string name) : ScheduledCallback(actorId, name)
    {
        public required string Ttl { get; init; }

        public required DateTimeOffset RegisteredTime { get; init; }

        // NextDue, or later while a failed tick waits to be retried.
        public DateTimeOffset NextAttempt { get; set; }

        public ReminderStorage.Record ToRecord() =>
            new(ActorId, Name, Data, DueTime, Period, Ttl, RegisteredTime, Expiration);
    }

    // The reminders of one actor type of one app id, loaded from that app's actor state store
    // while at least one of its hosts is registered.
    private sealed class ReminderScope(string appId, string actorType, IActorStateStorage storage)
    {
        public string AppId { get; } = appId;

        public string ActorType { get; } = actorType;

        public IActorStateStorage Storage { get; } = storage;

        // Serializes the read-modify-write of the type's reminder list.
        public SemaphoreSlim Writes { get; } = new(1, 1);

        public Dictionary<(string ActorId, string Name), Reminder> Reminders { get; } = [];
    }
}
