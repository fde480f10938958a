using OrderDapr.Chaos;

namespace OrderDapr.EndToEnd.Tests.Chaos;

// The chaos run of tools/OrderDapr.Chaos, small: duplicated, reordered and failed deliveries,
// failed state calls and publishes, and each service killed (SIGKILL) and restarted mid-run.
// Emulator only: the faults are injected by the emulator's sidecars (EmulatorOptions.Faults), which
// real daprd has no way to do; the run against real daprd leaves this test out.
[Trait("Runtime", "emulator-only")]
public sealed class ChaosRunTests
{
    [Fact]
    public async Task Under_faults_and_kills_no_acknowledged_command_is_lost_and_no_event_applied_twice()
    {
        using var log = new StringWriter();
        var options = new ChaosOptions
        {
            Orders = 300,
            Clients = 8,
            Customers = 12,
            RestartsPerService = 1,
            Downtime = TimeSpan.FromMilliseconds(500),
        };

        var report = await ChaosRun.RunAsync(options, log, TestContext.Current.CancellationToken);
        report.Print(log);
        TestContext.Current.TestOutputHelper?.WriteLine(log.ToString());

        Assert.Equal(2, report.Restarts);
        Assert.True(report.Faults is { DeliveriesDuplicated: > 0, DeliveriesDelayed: > 0, StateCallsFailed: > 0, AppCallsFailed: > 0 }, $"faults injected: {report.Faults}");
        Assert.Empty(report.Check.Findings);
        Assert.Equal((0, 0, 0), (report.Check.DivergentOrders, report.Check.LostAcknowledgedCommands, report.Check.EventsAppliedTwice));
        Assert.Equal(0, report.RefusedCommands);
        Assert.True(report.AcknowledgedCommands >= 300, $"only {report.AcknowledgedCommands} commands acknowledged");
    }
}
