namespace DaprEmulator.Tests.Actors;

public sealed class TimerTests
{
    [Fact]
    public async Task A_timer_fires_each_period_and_is_gone_once_its_host_unregisters()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1");
        await ActorTestbed.Proxy("t1", sidecar).StartTimer("tick", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        Assert.Equal(["TestActor||t1||tick"], bed.Runtime.TimerKeys());

        await Eventually.UntilAdvancing(bed.Time, TimeSpan.FromSeconds(1), () => app.Recorder.Count("timer:t1:tick") >= 3, "the timer fired three times");

        bed.Runtime.UnregisterHost(app.Url);

        Assert.Empty(bed.Runtime.TimerKeys());
    }

    [Fact]
    public async Task A_timer_goes_away_when_its_actor_is_deactivated()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1", o => o.ActorIdleTimeout = TimeSpan.FromMinutes(1));
        await ActorTestbed.Proxy("t2", sidecar).StartTimer("hourly", TimeSpan.FromHours(1), TimeSpan.FromHours(1));

        await Eventually.UntilAdvancing(bed.Time, TimeSpan.FromSeconds(30), () => app.Recorder.Count("deactivate:t2") == 1, "the idle actor is deactivated");

        Assert.Empty(bed.Runtime.TimerKeys());
        Assert.Equal(0, app.Recorder.Count("timer:t2:hourly"));
    }
}
