using OrderDapr.EndToEnd.Tests.Fixtures.Runtimes;

namespace OrderDapr.EndToEnd.Tests.Runtimes;

// The command lines of the real-daprd runtime's containers (no container started). They share
// the host's network, so every listener must be on a port the fixture chose and on loopback.
public sealed class DaprdCommandLinesTests
{
    private static readonly PlacementPorts Placement = new(40001, 40002, 40003);
    private static readonly SchedulerPorts Scheduler = new(40011, 40012, 40013, 40014);
    private static readonly DaprdSidecarPorts Sidecar = new(40021, 40022);

    [Fact]
    public void Daprd_finds_its_app_the_control_plane_and_its_resources_where_the_fixture_put_them()
    {
        var flags = Flags(DaprdCommandLines.Daprd(Sidecar, "order-command", 5001, Placement.Api, Scheduler.Api));

        Assert.Equal(("order-command", "5001", "127.0.0.1"), (flags["--app-id"], flags["--app-port"], flags["--app-channel-address"]));
        Assert.Equal(("40021", "40022", "127.0.0.1"), (flags["--dapr-http-port"], flags["--dapr-grpc-port"], flags["--dapr-listen-addresses"]));
        Assert.Equal(("127.0.0.1:40001", "127.0.0.1:40011"), (flags["--placement-host-address"], flags["--scheduler-host-address"]));
        Assert.Equal(DaprdCommandLines.ResourcesPath, flags["--resources-path"]);
        Assert.Equal("false", flags["--enable-metrics"]);
    }

    [Fact]
    public void Placement_and_scheduler_listen_on_the_chosen_ports_only()
    {
        var placement = Flags(DaprdCommandLines.Placement(Placement));
        var scheduler = Flags(DaprdCommandLines.Scheduler(Scheduler));

        Assert.Equal(("40001", "40002", "dapr-placement-0=127.0.0.1:40003"), (placement["--port"], placement["--healthz-port"], placement["--initial-cluster"]));
        Assert.Equal(("40011", "40012", "40013"), (scheduler["--port"], scheduler["--healthz-port"], scheduler["--etcd-client-port"]));
        Assert.Equal("dapr-scheduler-server-0=http://127.0.0.1:40014", scheduler["--etcd-initial-cluster"]);
        // The address the scheduler hands to sidecars is the one it listens on.
        Assert.Equal("127.0.0.1:40011", scheduler["--override-broadcast-host-port"]);
        Assert.StartsWith(DaprdCommandLines.SchedulerDataPath + "/", scheduler["--etcd-data-dir"], StringComparison.Ordinal);
        Assert.All(new[] { placement, scheduler }, f => Assert.Equal(("127.0.0.1", "false"), (f["--listen-address"], f["--enable-metrics"])));
    }

    [Fact]
    public void Each_image_runs_its_own_binary_and_all_are_one_release()
    {
        Assert.Equal("./placement", DaprdCommandLines.Placement(Placement)[0]);
        Assert.Equal("./scheduler", DaprdCommandLines.Scheduler(Scheduler)[0]);
        Assert.Equal("./daprd", DaprdCommandLines.Daprd(Sidecar, "a", 1, 2, 3)[0]);
        Assert.All(new[] { DaprdCommandLines.PlacementImage, DaprdCommandLines.SchedulerImage, DaprdCommandLines.DaprdImage },
            image => Assert.EndsWith(":" + DaprdCommandLines.Version, image, StringComparison.Ordinal));
    }

    // The "--name value" and "--name=value" flags of a command line, after the binary.
    private static Dictionary<string, string> Flags(string[] command)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < command.Length; i++)
        {
            if (command[i].Split('=', 2) is [var name, var value])
            {
                flags[name] = value;
            }
            else
            {
                flags[command[i]] = command[++i];
            }
        }

        return flags;
    }
}
