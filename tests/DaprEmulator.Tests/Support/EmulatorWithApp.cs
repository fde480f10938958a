using Dapr.Client;
using DaprEmulator.Hosting;

namespace DaprEmulator.Tests.Support;

// An in-process emulator on a temporary resources folder with one sidecar, and the real Dapr .NET
// client talking to it over gRPC and HTTP.
public sealed class EmulatorWithApp : IAsyncDisposable
{
    private readonly ResourcesFolder _resources;

    private EmulatorWithApp(ResourcesFolder resources, DaprEmulatorHost emulator, DaprSidecar sidecar, DaprClient client)
    {
        _resources = resources;
        Emulator = emulator;
        Sidecar = sidecar;
        Client = client;
    }

    public DaprEmulatorHost Emulator { get; }

    public DaprSidecar Sidecar { get; }

    public DaprClient Client { get; }

    public static Task<EmulatorWithApp> StartAsync(string appId, int? appPort, params string[] yaml) =>
        StartAsync(appId, appPort, TimeProvider.System, yaml);

    public static Task<EmulatorWithApp> StartAsync(string appId, int? appPort, TimeProvider time, params string[] yaml) =>
        StartAsync(appId, appPort, time, new EmulatorStorage.Memory(), yaml);

    public static async Task<EmulatorWithApp> StartAsync(string appId, int? appPort, TimeProvider time, EmulatorStorage storage, params string[] yaml)
    {
        var resources = new ResourcesFolder(yaml);
        var emulator = await DaprEmulatorHost.StartAsync(new EmulatorOptions
        {
            ResourcesPaths = [resources.Path],
            LoggerFactory = TestLogging.Create(),
            TimeProvider = time,
            Storage = storage,
        }, TestContext.Current.CancellationToken);
        var sidecar = await emulator.StartSidecarAsync(new SidecarOptions { AppId = appId, AppPort = appPort }, TestContext.Current.CancellationToken);

        // Subscriptions (the app's and the outbox's) exist once the sidecar has seen the app.
        await Poll.UntilAsync(() => sidecar.IsAppReady || sidecar.SubscriptionError is not null, "the sidecar has initialised the app channel");
        return new EmulatorWithApp(resources, emulator, sidecar, ClientFor(sidecar));
    }

    public static DaprClient ClientFor(DaprSidecar sidecar) =>
        new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcEndpoint).UseHttpEndpoint(sidecar.HttpEndpoint).Build();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Emulator.DisposeAsync();
        _resources.Dispose();
    }
}
