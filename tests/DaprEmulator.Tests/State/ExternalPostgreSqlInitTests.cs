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

// The connection pool of a state.postgresql component on a real server, sized as daprd's pgx pool
// is: a burst of requests does not take the whole server's max_connections.
public sealed class ExternalPostgreSqlPoolTests
{
    private const string ConnectionString = "host=localhost user=postgres password=postgres database=orderdapr";

    [Fact]
    public void By_default_the_pool_holds_the_greater_of_four_and_the_number_of_cpus()
    {
        Assert.Equal(Math.Max(4, Environment.ProcessorCount), Pool().MaxPoolSize);
        Assert.Equal(Math.Max(4, Environment.ProcessorCount), Pool(("maxConns", "1")).MaxPoolSize);
        Assert.Equal(Math.Max(4, Environment.ProcessorCount), Pool(("maxConns", "-3")).MaxPoolSize);
    }

    [Fact]
    public void MaxConns_above_one_sizes_the_pool()
    {
        Assert.Equal(12, Pool(("maxConns", "12")).MaxPoolSize);
    }

    [Theory]
    [InlineData("5m", 300)]
    [InlineData("90", 90)]
    [InlineData("1500ms", 2)]
    public void ConnectionMaxIdleTime_closes_idle_connections_after_it(string value, int seconds)
    {
        Assert.Equal(seconds, Pool(("connectionMaxIdleTime", value)).ConnectionIdleLifetime);
    }

    [Fact]
    public void Without_connectionMaxIdleTime_the_drivers_default_holds()
    {
        Assert.Equal(new Npgsql.NpgsqlConnectionStringBuilder().ConnectionIdleLifetime, Pool().ConnectionIdleLifetime);
    }

    private static Npgsql.NpgsqlConnectionStringBuilder Pool(params (string Name, string Value)[] metadata) =>
        ExternalPostgreSql.Settings(
            new ComponentDefinition { Name = "eventstore", Type = "state.postgresql", Metadata = [.. metadata.Select(m => KeyValuePair.Create(m.Name, m.Value))] },
            ConnectionString);
}
