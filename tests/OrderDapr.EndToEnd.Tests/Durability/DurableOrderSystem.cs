using OrderDapr.EndToEnd.Tests.Fixtures;
using OrderDapr.EndToEnd.Tests.Fixtures.Runtimes;

namespace OrderDapr.EndToEnd.Tests.Durability;

// The whole system on an emulator whose data outlives it (a SQLite file, or databases of this
// machine's servers): a second system on the same data is the first one restarted.
public sealed class DurableOrderSystem(Func<IDaprRuntime> runtime) : OrderSystem
{
    protected override IDaprRuntime CreateRuntime() => runtime();
}
