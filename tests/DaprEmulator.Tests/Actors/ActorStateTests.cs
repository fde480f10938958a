using System.Net;
using System.Text;
using System.Text.Json;

namespace DaprEmulator.Tests.Actors;

public sealed class ActorStateTests
{
    [Fact]
    public async Task State_saved_by_the_state_manager_survives_the_actor_going_idle()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1", o => o.ActorIdleTimeout = TimeSpan.FromMinutes(1));
        var actor = ActorTestbed.Proxy("s1", sidecar);

        await actor.SetValue("hello");
        Assert.Equal("\"hello\"", bed.Storage.Text("shop||TestActor||s1||value"));

        await Eventually.UntilAdvancing(bed.Time, TimeSpan.FromSeconds(30), () => app.Recorder.Count("deactivate:s1") == 1, "the idle actor is deactivated");

        Assert.Equal("hello", await actor.GetValue());
        Assert.Equal(2, app.Recorder.Count("activate:s1"));
    }

    [Fact]
    public async Task An_actor_is_not_deactivated_before_its_idle_timeout()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1", o => o.ActorIdleTimeout = TimeSpan.FromMinutes(10));
        await ActorTestbed.Proxy("idle", sidecar).Echo("x");
        await ActorTestbed.Proxy("probe", sidecar).Echo("x");

        bed.Time.Advance(TimeSpan.FromMinutes(9));
        await ActorTestbed.Proxy("probe", sidecar).StartReminder("probe", TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        await Eventually.Until(() => app.Recorder.Count("reminder:probe:probe:probe") == 1, "the probe reminder fired");
        Assert.Equal(0, app.Recorder.Count("deactivate:idle"));

        bed.Time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.Until(() => app.Recorder.Count("deactivate:idle") == 1, "the idle actor is deactivated");
    }

    [Fact]
    public async Task An_actor_called_again_is_deactivated_an_idle_timeout_after_its_last_call()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1", o => o.ActorIdleTimeout = TimeSpan.FromMinutes(10));
        await ActorTestbed.Proxy("busy", sidecar).Echo("first");
        bed.Time.Advance(TimeSpan.FromMinutes(6));
        await ActorTestbed.Proxy("busy", sidecar).Echo("again");

        // 0:10, when the first call would have made it idle, then just before 0:16.
        await bed.AdvanceAndSettleAsync(TimeSpan.FromMinutes(4));
        Assert.Equal(0, app.Recorder.Count("deactivate:busy"));
        await bed.AdvanceAndSettleAsync(TimeSpan.FromMinutes(6) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, app.Recorder.Count("deactivate:busy"));

        bed.Time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.Until(() => app.Recorder.Count("deactivate:busy") == 1, "the idle actor is deactivated");
    }

    [Fact]
    public async Task Upserted_values_are_stored_the_way_daprd_re_marshals_them()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        await bed.StartAppAsync("shop", sidecar, "shop-1");
        await ActorTestbed.Proxy("s2", sidecar).Echo("activate me");
        using var http = new HttpClient { BaseAddress = sidecar };

        using var save = await http.PutAsync(
            "/v1.0/actors/TestActor/s2/state",
            new StringContent("""[{"operation":"upsert","request":{"key":"k","value":{"z":1,"a":9007199254740993,"html":"<&>","n":1.50}}}]""", Encoding.UTF8),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, save.StatusCode);

        using var read = await http.GetAsync("/v1.0/actors/TestActor/s2/state/k", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(
            """{"a":9007199254740992,"html":"\u003c\u0026\u003e","n":1.5,"z":1}""",
            await read.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        using var missing = await http.GetAsync("/v1.0/actors/TestActor/s2/state/nothing", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, missing.StatusCode);
    }

    [Fact]
    public async Task Saving_state_for_an_actor_that_is_not_active_here_is_refused()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        await bed.StartAppAsync("shop", sidecar, "shop-1");
        using var http = new HttpClient { BaseAddress = sidecar };

        using var response = await http.PutAsync(
            "/v1.0/actors/TestActor/never-called/state",
            new StringContent("""[{"operation":"upsert","request":{"key":"k","value":1}}]""", Encoding.UTF8),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("ERR_ACTOR_INSTANCE_MISSING", body.RootElement.GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task State_with_a_ttl_is_refused_as_daprd_refuses_it_without_the_preview_feature()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        await bed.StartAppAsync("shop", sidecar, "shop-1");
        await ActorTestbed.Proxy("s3", sidecar).Echo("activate me");
        using var http = new HttpClient { BaseAddress = sidecar };

        using var response = await http.PutAsync(
            "/v1.0/actors/TestActor/s3/state",
            new StringContent("""[{"operation":"upsert","request":{"key":"k","value":1,"metadata":{"ttlInSeconds":"10"}}}]""", Encoding.UTF8),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("ERR_ACTOR_STATE_TRANSACTION_SAVE", body.RootElement.GetProperty("errorCode").GetString());
        Assert.Null(bed.Storage.Text("shop||TestActor||s3||k"));
    }
}
