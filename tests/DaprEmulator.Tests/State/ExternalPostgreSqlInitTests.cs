using DaprEmulator.Components;
using DaprEmulator.Hosting;
using DaprEmulator.Tests.Support;

namespace DaprEmulator.Tests.State;

// EmulatorStorage.External initialises state.postgresql as daprd does: a database it cannot reach
// stops the sidecar at start, with daprd's INIT_COMPONENT_FAILURE, rather than at first use.
public sealed class ExternalPostgreSqlInitTests
{
    [Fact]
    public async Task An_unreachable_database_fails_the_sidecar_start_with_daprds_init_error()
    {
        using var resources = new ResourcesFolder(Yaml.Component("eventstore", "state.postgresql", "v2",
            [("connectionString", "host=127.0.0.1 port=1 user=postgres password=postgres database=orderdapr connect_timeout=5")]));
        await using var emulator = await DaprEmulatorHost.StartAsync(
            new EmulatorOptions { ResourcesPaths = [resources.Path], Storage = new EmulatorStorage.External() }, TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<ResourceLoadException>(() =>
            emulator.StartSidecarAsync(new SidecarOptions { AppId = "app" }, TestContext.Current.CancellationToken));

        Assert.StartsWith(
            "process component eventstore error: [INIT_COMPONENT_FAILURE]: initialization error occurred for eventstore (state.postgresql/v2): failed to ping the database:",
            error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_setting_pgx_would_not_know_is_refused_at_start()
    {
        using var resources = new ResourcesFolder(Yaml.Component("eventstore", "state.postgresql", "v2", [("connectionString", "host=localhost colour=blue")]));
        await using var emulator = await DaprEmulatorHost.StartAsync(
            new EmulatorOptions { ResourcesPaths = [resources.Path], Storage = new EmulatorStorage.External() }, TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<ResourceLoadException>(() =>
            emulator.StartSidecarAsync(new SidecarOptions { AppId = "app" }, TestContext.Current.CancellationToken));

        Assert.EndsWith("failed to parse connection string: the emulator does not know the connection setting 'colour'", error.Message, StringComparison.Ordinal);
    }
}
