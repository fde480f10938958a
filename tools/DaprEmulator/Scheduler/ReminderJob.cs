using DaprEmulator.Actors;

namespace DaprEmulator.Scheduler;

// What names a reminder job: the Scheduler keys it by app id, actor type, actor id and reminder
// name (pkg/scheduler/server/internal/serialize; the emulator has a single namespace).
internal readonly record struct ReminderKey(string AppId, string ActorType, string ActorId, string Name);

// One job of the Scheduler: the reminder as registered, and its counter (go-etcd-cron
// internal/counter): the tick it is at and how often that tick has failed.
internal sealed class ReminderJob(ReminderKey key) : ScheduledCallback(key.ActorId, key.Name)
{
    public ReminderKey Key { get; } = key;

    public required string Ttl { get; init; }

    // When the current attempt is due: NextDue, or later while a failed tick is retried.
    public required DateTimeOffset NextAttempt { get; set; }

    public int Failures { get; set; }
}
