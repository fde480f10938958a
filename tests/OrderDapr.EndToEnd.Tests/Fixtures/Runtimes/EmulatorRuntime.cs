using DaprEmulator.Hosting;

namespace OrderDapr.EndToEnd.Tests.Fixtures.Runtimes;

// The Dapr emulator in this process, a sidecar per app on loopback: what runs where Docker does not.
// Its state and streams are kept in the given storage, or in databases of this machine's PostgreSQL
// and Redis (MachineServers), as `run --external` keeps them.
public sealed class EmulatorRuntime : IDaprRuntime
{
    private readonly EmulatorStorage storage;
    private readonly bool startsServers;
    private DaprEmulatorHost? host;

    private EmulatorRuntime(EmulatorStorage storage, MachineServers? servers, bool startsServers)
    {
        this.storage = storage;
        this.startsServers = startsServers;
        Servers = servers;
    }

    public string Name => DaprRuntimes.Emulator;

    // The servers' databases of this system, when it runs on them.
    public MachineServers? Servers { get; private set; }

    public static EmulatorRuntime With(EmulatorStorage storage) => new(storage, null, startsServers: false);

    // On databases of its own, started with it and dropped after it.
    public static EmulatorRuntime OnMachineServers() => new(new EmulatorStorage.External(), null, startsServers: true);

    // On databases its caller started and drops (to start another system on the same data).
    public static EmulatorRuntime On(MachineServers servers, EmulatorStorage.External storage) => new(storage, servers, startsServers: false);

    public async Task<BackingServices> StartAsync(CancellationToken ct = default)
    {
        if (startsServers)
        {
            Servers = await MachineServers.StartAsync(ct);
        }

        // No resources at the host: every sidecar loads its own folder, as daprd does.
        host = await DaprEmulatorHost.StartAsync(new EmulatorOptions { RecordTraffic = false, Storage = storage }, ct);
        return Servers?.Targets ?? BackingServices.AsNamed;
    }

    public async Task<RunningSidecar> StartSidecarAsync(SidecarSpec spec, CancellationToken ct = default)
    {
        var sidecar = await host!.StartSidecarAsync(new SidecarOptions
        {
            AppId = spec.AppId,
            AppPort = spec.AppPort,
            ApiToken = spec.Tokens.DaprApiToken,
            AppApiToken = spec.Tokens.AppApiToken,
            ResourcesPaths = [spec.ResourcesPath],
        }, ct);
        return new RunningSidecar(spec.AppId, spec.AppPort, sidecar.HttpPort, sidecar.GrpcPort, sidecar.DisposeAsync);
    }

    public async ValueTask DisposeAsync()
    {
        if (host is not null)
        {
            await host.DisposeAsync();
        }

        if (startsServers && Servers is not null)
        {
            await Servers.DisposeAsync();
        }
    }
}
