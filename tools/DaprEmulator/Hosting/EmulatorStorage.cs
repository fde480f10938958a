namespace DaprEmulator.Hosting;

// Where the emulator keeps what daprd keeps outside itself: the state stores' tables, the Redis
// streams of pub/sub, the Scheduler's jobs (actor reminders).
public abstract record EmulatorStorage
{
    // In the process: gone when it stops. The tests' default.
    public sealed record Memory : EmulatorStorage;

    // One SQLite database file: survives a restart. `run`'s default.
    public sealed record Sqlite(string Path) : EmulatorStorage;

    // The real servers the components name: PostgreSQL (connectionString of state.postgresql) and
    // Redis (redisHost of pubsub.redis), as daprd would use them. The Scheduler has no server here:
    // its jobs go to the SQLite file SchedulerFile names, or stay in memory without one.
    public sealed record External(string? SchedulerFile = null) : EmulatorStorage;
}
