using DaprEmulator.Hosting;

namespace OrderDapr.EndToEnd.Tests.Fixtures.Runtimes;

// The Dapr emulator in this process, a sidecar per app on loopback: what runs where Docker does not.
// Its state and streams are kept in the given storage, or in a database of this machine's
// PostgreSQL and Redis each (MachineServers), as `run --external` keeps them.
public sealed class EmulatorRuntime : IDaprRuntime
{
    // Null: on this machine's servers.
    private readonly EmulatorStorage? storage;
    private DaprEmulatorHost? host;

    private EmulatorRuntime(EmulatorStorage? storage) => this.storage = storage;

    public string Name => DaprRuntimes.Emulator;

    // The servers' databases of this system, when it runs on them.
    public MachineServers? Servers { get; private set; }

    public static EmulatorRuntime With(EmulatorStorage storage) => new(storage);

    public static EmulatorRuntime OnMachineServers() => new(null);

    public async Task<BackingServices> StartAsync(CancellationToken ct = default)
    {
        if (storage is null)
        {
            Servers = await MachineServers.StartAsync(ct);
        }

        // No resources at the host: every sidecar loads its own folder, as daprd does.
        host = await DaprEmulatorHost.StartAsync(new EmulatorOptions { RecordTraffic = false, Storage = storage ?? new EmulatorStorage.External() }, ct);
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

        if (Servers is not null)
        {
            await Servers.DisposeAsync();
        }
    }
}
