namespace DaprEmulator.Tests.Actors;

public sealed class PlacementTests
{
    private static readonly string[] Ids = [.. Enumerable.Range(0, 32).Select(i => $"order-{i}")];

    [Fact]
    public async Task Each_actor_id_stays_on_one_host_and_moves_when_its_host_unregisters()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var first = await bed.StartAppAsync("shop", sidecar, "shop-1");
        var second = await bed.StartAppAsync("shop", sidecar, "shop-2");

        var before = await WhereAsync(sidecar);
        Assert.Equal(before, await WhereAsync(sidecar));
        Assert.Equal(["shop-1", "shop-2"], before.Values.Distinct().Order());

        bed.Runtime.UnregisterHost(second.Url);

        var after = await WhereAsync(sidecar);
        Assert.All(after.Values, host => Assert.Equal("shop-1", host));
        Assert.All(Ids.Where(id => before[id] == "shop-2"), id => Assert.Equal(1, first.Recorder.Count($"activate:{id}")));
    }

    [Fact]
    public async Task A_new_host_takes_over_some_ids_whose_actors_are_deactivated_where_they_were()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var first = await bed.StartAppAsync("shop", sidecar, "shop-1");
        Assert.All((await WhereAsync(sidecar)).Values, host => Assert.Equal("shop-1", host));

        await bed.StartAppAsync("shop", sidecar, "shop-2");

        var after = await WhereAsync(sidecar);
        var moved = Ids.Where(id => after[id] == "shop-2").ToList();
        Assert.NotEmpty(moved);
        await Eventually.Until(
            () => moved.All(id => first.Recorder.Count($"deactivate:{id}") == 1),
            "the moved actors are deactivated on their old host");
        Assert.All(Ids.Except(moved), id => Assert.Equal(0, first.Recorder.Count($"deactivate:{id}")));
    }

    private static async Task<Dictionary<string, string>> WhereAsync(Uri sidecar)
    {
        var hosts = await Task.WhenAll(Ids.Select(id => ActorTestbed.Proxy(id, sidecar).WhereAmI()));
        return Ids.Zip(hosts).ToDictionary(p => p.First, p => p.Second);
    }
}
