using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using OrderDapr.Testing;
using Testcontainers.PostgreSql;
using Testcontainers.Redis;

namespace OrderDapr.EndToEnd.Tests.Fixtures.Runtimes;

// Real Dapr in Docker through Testcontainers: PostgreSQL and Redis (the servers components/ names),
// the placement and scheduler services, and one daprd container per sidecar.
//
// Networking: the apps run as processes on the host and listen on its loopback only
// (ServiceProcess binds 127.0.0.1), so a sidecar must share the host's network to reach them
// (Linux only, as on GitHub's ubuntu runners); host.docker.internal would reach the host's bridge
// address, where the apps do not listen. Placement and scheduler share it too, so that the
// addresses they hand to sidecars are right. PostgreSQL and Redis stay on Docker's bridge with
// ports published on the host, which the sidecars reach at 127.0.0.1.
public sealed class DaprdRuntime : IDaprRuntime
{
    private const string PostgresImage = "postgres:17-alpine";
    private const string RedisImage = "redis:7.4-alpine";

    private readonly List<IContainer> containers = [];
    private PlacementPorts? placement;
    private SchedulerPorts? scheduler;

    public string Name => DaprRuntimes.Daprd;

    public async Task<BackingServices> StartAsync(CancellationToken ct = default)
    {
        // The user, password and database components/ name.
        var postgres = Add(new PostgreSqlBuilder(PostgresImage).WithUsername("postgres").WithPassword("postgres").WithDatabase("orderdapr").Build());
        var redis = Add(new RedisBuilder(RedisImage).Build());

        placement = new PlacementPorts(FreePort.Next(), FreePort.Next(), FreePort.Next());
        scheduler = new SchedulerPorts(FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next());
        var placementContainer = Add(OnHostNetwork(DaprdCommandLines.PlacementImage, DaprdCommandLines.Placement(placement)).Build());
        var schedulerContainer = Add(OnHostNetwork(DaprdCommandLines.SchedulerImage, DaprdCommandLines.Scheduler(scheduler))
            .WithTmpfsMount(DaprdCommandLines.SchedulerDataPath)
            .Build());

        await Task.WhenAll(postgres.StartAsync(ct), redis.StartAsync(ct), placementContainer.StartAsync(ct), schedulerContainer.StartAsync(ct));
        await Task.WhenAll(
            Readiness.WaitAsync(new Uri($"http://127.0.0.1:{placement.Healthz}/healthz"), "placement", () => LogsAsync(placementContainer), ct),
            Readiness.WaitAsync(new Uri($"http://127.0.0.1:{scheduler.Healthz}/healthz"), "scheduler", () => LogsAsync(schedulerContainer), ct));

        return new BackingServices(
            new PostgreSqlTarget(new ServerAddress("127.0.0.1", postgres.GetMappedPublicPort(5432))),
            new RedisTarget(new ServerAddress("127.0.0.1", redis.GetMappedPublicPort(6379))));
    }

    public async Task<RunningSidecar> StartSidecarAsync(SidecarSpec spec, CancellationToken ct = default)
    {
        var ports = new DaprdSidecarPorts(FreePort.Next(), FreePort.Next());
        var builder = OnHostNetwork(DaprdCommandLines.DaprdImage, DaprdCommandLines.Daprd(ports, spec.AppId, spec.AppPort, placement!.Api, scheduler!.Api))
            .WithEnvironment("DAPR_API_TOKEN", spec.Tokens.DaprApiToken)
            .WithEnvironment("APP_API_TOKEN", spec.Tokens.AppApiToken);

        // Copied in file by file, readable by the image's user (65532).
        foreach (var file in Directory.GetFiles(spec.ResourcesPath))
        {
            builder = builder.WithResourceMapping(
                await File.ReadAllBytesAsync(file, ct), $"{DaprdCommandLines.ResourcesPath}/{Path.GetFileName(file)}", fileMode: Unix.FileMode644);
        }

        var daprd = Add(builder.Build());
        await daprd.StartAsync(ct);

        // Outbound ready: the API serves. Full readiness (/v1.0/healthz) needs the app, started after this.
        await Readiness.WaitAsync(new Uri($"http://127.0.0.1:{ports.Http}/v1.0/healthz/outbound"), $"daprd of {spec.AppId}", () => LogsAsync(daprd), ct);
        return new RunningSidecar(spec.AppId, spec.AppPort, ports.Http, ports.Grpc, () => new ValueTask(daprd.StopAsync()));
    }

    public async ValueTask DisposeAsync()
    {
        // Sidecars first, then what they use.
        for (var i = containers.Count - 1; i >= 0; i--)
        {
            await containers[i].DisposeAsync();
        }
    }

    private static ContainerBuilder OnHostNetwork(string image, string[] command) =>
        new ContainerBuilder(image)
            .WithCommand(command)
            .WithCreateParameterModifier(parameters =>
            {
                parameters.HostConfig ??= new Docker.DotNet.Models.HostConfig();
                parameters.HostConfig.NetworkMode = "host";
            });

    private static async Task<string> LogsAsync(IContainer container)
    {
        var (stdout, stderr) = await container.GetLogsAsync();
        return $"{container.Image.FullName} logs:\n{stdout}{stderr}";
    }

    private T Add<T>(T container)
        where T : IContainer
    {
        containers.Add(container);
        return container;
    }
}
