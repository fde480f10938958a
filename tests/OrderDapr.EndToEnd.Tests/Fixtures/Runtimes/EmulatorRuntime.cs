using DaprEmulator.Hosting;

namespace OrderDapr.EndToEnd.Tests.Fixtures.Runtimes;

// The Dapr emulator in this process, a sidecar per app on loopback: what runs where Docker does not.
public sealed class EmulatorRuntime(EmulatorStorage storage) : IDaprRuntime
{
    private DaprEmulatorHost? host;

    public string Name => DaprRuntimes.Emulator;

    public async Task<BackingServices> StartAsync(CancellationToken ct = default)
    {
        // No resources at the host: every sidecar loads its own folder, as daprd does.
        host = await DaprEmulatorHost.StartAsync(new EmulatorOptions { RecordTraffic = false, Storage = storage }, ct);
        return BackingServices.AsNamed;
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
    }
}
