namespace DaprEmulator.Scheduler;

// Where the Scheduler keeps its job records so that they outlive the emulator (the real Scheduler
// keeps them in its etcd). Without one they live in memory only.
internal interface IJobStore : IDisposable
{
    IReadOnlyList<ReminderJob> Load();

    // Adds the job's record or replaces the one of the same key.
    void Save(ReminderJob job);

    void Remove(ReminderKey key);
}
