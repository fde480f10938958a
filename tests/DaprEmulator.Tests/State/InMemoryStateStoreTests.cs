using DaprEmulator.Tests.Support;

namespace DaprEmulator.Tests.State;

// state.in-memory lives in the sidecar, as in daprd: one store per sidecar.
public sealed class InMemoryStateStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task In_memory_state_is_kept_per_sidecar()
    {
        using var resources = new ResourcesFolder(Yaml.Component("cache", "state.in-memory", "v1", [("keyPrefix", "none")]));
        await using var emulator = await Hosting.DaprEmulatorHost.StartAsync(new Hosting.EmulatorOptions { ResourcesPaths = [resources.Path] }, Ct);
        var one = await emulator.StartSidecarAsync(new Hosting.SidecarOptions { AppId = "app" }, Ct);
        var two = await emulator.StartSidecarAsync(new Hosting.SidecarOptions { AppId = "app" }, Ct);
        using var clientOne = EmulatorWithApp.ClientFor(one);
        using var clientTwo = EmulatorWithApp.ClientFor(two);

        await clientOne.SaveStateAsync("cache", "k", "x", cancellationToken: Ct);

        Assert.Equal("x", await clientOne.GetStateAsync<string>("cache", "k", cancellationToken: Ct));
        Assert.Null(await clientTwo.GetStateAsync<string>("cache", "k", cancellationToken: Ct));
    }
}
