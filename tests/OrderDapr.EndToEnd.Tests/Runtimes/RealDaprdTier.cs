using System.Text.Json;
using OrderDapr.EndToEnd.Tests.Fixtures;
using OrderDapr.EndToEnd.Tests.Fixtures.Runtimes;

namespace OrderDapr.EndToEnd.Tests.Runtimes;

// The real-daprd tier. With ORDERDAPR_RUNTIME=daprd every end-to-end test runs against real
// daprd; this class checks that they did: the sidecars are daprd of the pinned version, with the
// components on real PostgreSQL and Redis. It needs Docker, so `dotnet test` leaves it out
// (Runtime=daprd, excluded by emulator.runsettings); .github/workflows/e2e.yml runs it with
// daprd.runsettings.
[Trait("Runtime", "daprd")]
[Collection(nameof(RunningSystem))]
public sealed class RealDaprdTier(OrderSystem system)
{
    private const string NotRun = "real-daprd tier: needs Docker; runs in .github/workflows/e2e.yml with ORDERDAPR_RUNTIME=daprd";

    [Fact]
    public async Task Every_sidecar_is_real_daprd_of_the_pinned_version_on_real_stores_and_broker()
    {
        Assert.SkipUnless(system.RuntimeName == DaprRuntimes.Daprd, NotRun);

        foreach (var sidecar in new[] { system.CommandSidecar, system.QuerySidecar, system.ProbeSidecar })
        {
            var metadata = await system.MetadataAsync(sidecar);
            Assert.Equal(sidecar.AppId, metadata.GetProperty("id").GetString());
            Assert.Equal(DaprdCommandLines.Version, metadata.GetProperty("runtimeVersion").GetString());
            var types = Components(metadata);
            Assert.Contains(("orderpubsub", "pubsub.redis"), types);
        }

        var command = Components(await system.MetadataAsync(system.CommandSidecar));
        Assert.Contains(("eventstore", "state.postgresql"), command);
        Assert.Contains(("actorstore", "state.postgresql"), command);
        Assert.Contains(("readmodel", "state.postgresql"), Components(await system.MetadataAsync(system.QuerySidecar)));
    }

    private static List<(string Name, string Type)> Components(JsonElement metadata) =>
        [.. metadata.GetProperty("components").EnumerateArray().Select(c => (c.GetProperty("name").GetString()!, c.GetProperty("type").GetString()!))];
}
