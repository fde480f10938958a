using DaprEmulator.Hosting;
using OrderDapr.EndToEnd.Tests.Fixtures;
using OrderDapr.EndToEnd.Tests.Fixtures.Runtimes;

namespace OrderDapr.EndToEnd.Tests.Durability;

// The whole system with the emulator's state and reminders in a SQLite file, as `run` keeps them:
// a second system on the same file is the first one restarted.
public sealed class DurableOrderSystem(string databaseFile) : OrderSystem
{
    protected override IDaprRuntime CreateRuntime() => EmulatorRuntime.With(new EmulatorStorage.Sqlite(databaseFile));
}
