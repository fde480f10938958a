namespace DaprEmulator.Tests.Actors;

public sealed class TurnBasedConcurrencyTests
{
    [Fact]
    public async Task Concurrent_calls_to_one_actor_from_several_sidecars_never_overlap()
    {
        await using var bed = new ActorTestbed();
        var shopSidecar = await bed.StartSidecarAsync("shop");
        var otherSidecar = await bed.StartSidecarAsync("web");
        var app = await bed.StartAppAsync("shop", shopSidecar, "shop-1");

        await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
            ActorTestbed.Proxy("busy", i % 2 == 0 ? shopSidecar : otherSidecar).Busy()));

        Assert.Equal(1, app.Recorder.MaxConcurrency("busy"));
    }

    [Fact]
    public async Task Calls_to_different_actors_run_at_the_same_time()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        await bed.StartAppAsync("shop", sidecar, "shop-1");

        var arrivals = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            ActorTestbed.Proxy($"parallel-{i}", sidecar).Rendezvous("all-four", 4)));

        Assert.All(arrivals, Assert.True);
    }
}
