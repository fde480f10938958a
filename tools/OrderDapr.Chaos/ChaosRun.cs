using System.Diagnostics;
using DaprEmulator.Faults;

namespace OrderDapr.Chaos;

public sealed record ChaosOptions
{
    public int Orders { get; init; } = 28_000; // ≈ 100,000 events: four per order, two for every fifth

    public int Clients { get; init; } = 32;

    public int Customers { get; init; } = 200;

    // Each service is killed (SIGKILL) and started again this many times during the run.
    public int RestartsPerService { get; init; } = 3;

    public TimeSpan Downtime { get; init; } = TimeSpan.FromSeconds(2);

    public FaultPlan Faults { get; init; } = new() { DuplicateDelivery = 0.2, ReorderDelivery = 0.2, TransientFailure = 0.1, Seed = 7 };

    public TimeSpan Convergence { get; init; } = TimeSpan.FromMinutes(3);
}

public sealed record ChaosReport(
    TimeSpan Duration,
    int OrdersDriven,
    long AcknowledgedCommands,
    long UnansweredCommands,
    long RefusedCommands,
    long Retries,
    int Restarts,
    FaultCounts Faults,
    CheckResult Check)
{
    public bool Passed => Check is { DivergentOrders: 0, LostAcknowledgedCommands: 0, EventsAppliedTwice: 0 } && RefusedCommands == 0;

    public void Print(TextWriter output)
    {
        output.WriteLine($"""

            chaos run: {Duration.TotalSeconds:0} s
              orders driven             {OrdersDriven:N0} ({Check.Orders:N0} stored)
              events stored             {Check.Events:N0}
              commands acknowledged     {AcknowledgedCommands:N0} (retried {Retries:N0} times; {UnansweredCommands:N0} never answered, {RefusedCommands:N0} refused)
              faults injected           {Faults}
              restarts (SIGKILL)        {Restarts}
              divergent orders          {Check.DivergentOrders}
              lost acknowledged commands {Check.LostAcknowledgedCommands}
              events applied twice      {Check.EventsAppliedTwice}
            """);
        foreach (var finding in Check.Findings.Take(20))
        {
            output.WriteLine($"  - {finding}");
        }

        output.WriteLine(Passed ? "PASSED: nothing lost, nothing applied twice, every order as its stream says" : "FAILED");
    }
}

// A chaos run: faults injected by the emulator all along, both services killed and restarted
// while clients drive orders through their lifecycle, then everything checked.
public static class ChaosRun
{
    public static async Task<ChaosReport> RunAsync(ChaosOptions options, TextWriter log, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        log.WriteLine($"starting the system with faults {options.Faults}");
        await using var system = await ChaosSystem.StartAsync(options.Faults, ct);
        using var commands = new HttpClient { BaseAddress = system.Command.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var graphQL = new HttpClient { BaseAddress = system.Query.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        var runId = Guid.NewGuid().ToString("N")[..8];
        var workload = new Workload(commands, runId, options.Customers, log);
        log.WriteLine($"driving {options.Orders:N0} orders with {options.Clients} clients, {options.RestartsPerService} kills per service");
        using var stopKilling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var running = workload.RunAsync(options.Orders, options.Clients, ct);
        var killing = KillAndRestartAsync(system, workload, options, log, stopKilling.Token);
        await running;
        await stopKilling.CancelAsync();
        var restarts = await killing;

        log.WriteLine("workload done; faults off, checking");
        system.StopFaults();
        await system.WaitForIdleAsync(TimeSpan.FromMinutes(5), ct);
        var check = await new Checker(commands, graphQL, log).CheckAsync(
            [.. workload.Acknowledged], workload.CustomerOfOrder, options.Convergence, ct);
        return new ChaosReport(clock.Elapsed, options.Orders, workload.Acknowledged.Count, workload.Unanswered, workload.Refused, workload.Retries,
            restarts, system.Faults, check);
    }

    // Alternately kills order-command and order-query with SIGKILL, keeps it down a moment and
    // starts it again, the kills spread evenly over the workload's progress.
    private static async Task<int> KillAndRestartAsync(ChaosSystem system, Workload workload, ChaosOptions options, TextWriter log, CancellationToken ct)
    {
        var restarts = 0;
        var services = new[] { system.Command, system.Query };
        var total = options.RestartsPerService * services.Length;
        try
        {
            while (restarts < total)
            {
                var due = options.Orders * (restarts + 1) / (total + 1);
                while (workload.Started < due)
                {
                    await Task.Delay(50, ct);
                }

                var service = services[restarts % services.Length];
                log.WriteLine($"  SIGKILL {service.Name} after {workload.Started:N0} orders");
                await service.KillAsync();
                await Task.Delay(options.Downtime, CancellationToken.None);
                await service.StartAsync(TimeSpan.FromMinutes(2));
                restarts++;
                log.WriteLine($"  {service.Name} back ({restarts}/{total})");
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }

        return restarts;
    }
}
