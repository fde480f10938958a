using System.Globalization;

namespace OrderDapr.EndToEnd.Tests.Fixtures.Runtimes;

// The command lines of Dapr's own images (daprio/placement, daprio/scheduler, daprio/daprd): each
// image holds one binary at / and no entrypoint (dapr/dapr docker/Dockerfile). Every container
// shares the host's network (see DaprdRuntime), so every port is named here, chosen free on the
// host, and every listener is bound to loopback where the binary allows it.
public static class DaprdCommandLines
{
    public const string Version = "1.17.13";
    public const string PlacementImage = "daprio/placement:" + Version;
    public const string SchedulerImage = "daprio/scheduler:" + Version;
    public const string DaprdImage = "daprio/daprd:" + Version;

    // Where the resources folder is copied in a daprd container.
    public const string ResourcesPath = "/resources";

    // The scheduler's embedded etcd writes here (a tmpfs: the image's user cannot write elsewhere).
    public const string SchedulerDataPath = "/data";

    public static string[] Placement(PlacementPorts ports) =>
    [
        "./placement",
        "--port", Text(ports.Api),
        "--listen-address", Loopback,
        "--healthz-port", Text(ports.Healthz),
        "--healthz-listen-address", Loopback,
        // The raft peer address of this one-member cluster (default 127.0.0.1:8201).
        "--initial-cluster", $"dapr-placement-0={Loopback}:{Text(ports.Raft)}",
        "--enable-metrics=false",
    ];

    public static string[] Scheduler(SchedulerPorts ports) =>
    [
        "./scheduler",
        "--port", Text(ports.Api),
        "--listen-address", Loopback,
        "--healthz-port", Text(ports.Healthz),
        "--healthz-listen-address", Loopback,
        // What the scheduler tells the sidecars to connect to, as the Dapr CLI sets it in self-hosted mode.
        "--override-broadcast-host-port", $"{Loopback}:{Text(ports.Api)}",
        "--etcd-data-dir", SchedulerDataPath + "/etcd",
        "--etcd-client-port", Text(ports.EtcdClient),
        "--etcd-initial-cluster", $"dapr-scheduler-server-0=http://{Loopback}:{Text(ports.EtcdPeer)}",
        "--enable-metrics=false",
    ];

    public static string[] Daprd(DaprdSidecarPorts ports, string appId, int appPort, int placementPort, int schedulerPort) =>
    [
        "./daprd",
        "--app-id", appId,
        "--app-port", Text(appPort),
        // The apps listen on loopback of the host, which this container shares.
        "--app-channel-address", Loopback,
        "--dapr-http-port", Text(ports.Http),
        "--dapr-grpc-port", Text(ports.Grpc),
        "--dapr-listen-addresses", Loopback,
        "--placement-host-address", $"{Loopback}:{Text(placementPort)}",
        "--scheduler-host-address", $"{Loopback}:{Text(schedulerPort)}",
        "--resources-path", ResourcesPath,
        "--enable-metrics=false",
        "--log-level", "info",
    ];

    private const string Loopback = "127.0.0.1";

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
}

public sealed record PlacementPorts(int Api, int Healthz, int Raft);

public sealed record SchedulerPorts(int Api, int Healthz, int EtcdClient, int EtcdPeer);

public sealed record DaprdSidecarPorts(int Http, int Grpc);
