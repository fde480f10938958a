using System.Security.Cryptography;
using DaprEmulator.Faults;
using DaprEmulator.Hosting;
using OrderDapr.Testing;

namespace OrderDapr.Chaos;

// The system under test: the Dapr emulator in this process (so that it can inject faults and
// count them) with a sidecar per app, and both services as processes that can be killed.
public sealed class ChaosSystem : IAsyncDisposable
{
    private readonly DaprEmulatorHost _emulator;
    private readonly List<DaprSidecar> _sidecars;

    private ChaosSystem(DaprEmulatorHost emulator, List<DaprSidecar> sidecars, ServiceProcess command, ServiceProcess query)
    {
        _emulator = emulator;
        _sidecars = sidecars;
        Command = command;
        Query = query;
    }

    public ServiceProcess Command { get; }

    public ServiceProcess Query { get; }

    public FaultCounts Faults => _emulator.Faults;

    public static async Task<ChaosSystem> StartAsync(FaultPlan? faults, CancellationToken ct)
    {
        var emulator = await DaprEmulatorHost.StartAsync(new EmulatorOptions
        {
            ResourcesPaths = [Path.Combine(Repository.Root, "components")],
            RecordTraffic = false,
            Faults = faults,
        }, ct);

        var sidecars = new List<DaprSidecar>();
        async Task<ServiceProcess> StartServiceAsync(string appId, string project)
        {
            var (apiToken, appToken) = (NewToken(), NewToken());
            var sidecar = await emulator.StartSidecarAsync(new SidecarOptions { AppId = appId, AppPort = FreePort.Next(), ApiToken = apiToken, AppApiToken = appToken }, ct);
            sidecars.Add(sidecar);
            var service = new ServiceProcess(project, sidecar.AppPort!.Value, sidecar.HttpPort, sidecar.GrpcPort, new Dictionary<string, string>
            {
                ["DAPR_API_TOKEN"] = apiToken,
                ["APP_API_TOKEN"] = appToken,
            });
            await service.StartAsync(TimeSpan.FromMinutes(2));
            return service;
        }

        var command = await StartServiceAsync("order-command", "OrderDapr.Command");
        var query = await StartServiceAsync("order-query", "OrderDapr.Query");
        return new ChaosSystem(emulator, sidecars, command, query);
    }

    // Turns fault injection off, e.g. before checking the outcome.
    public void StopFaults() => _emulator.StopFaults();

    public Task WaitForIdleAsync(TimeSpan timeout, CancellationToken ct) => _emulator.WaitForIdleAsync(timeout, ct);

    public async ValueTask DisposeAsync()
    {
        await Command.DisposeAsync();
        await Query.DisposeAsync();
        foreach (var sidecar in _sidecars)
        {
            await sidecar.DisposeAsync();
        }

        await _emulator.DisposeAsync();
    }

    private static string NewToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
}
