using System.Net;
using System.Text;
using System.Text.Json;

namespace DaprEmulator.Tests.Actors;

public sealed class ReminderTests
{
    private static readonly TimeSpan Once = Timeout.InfiniteTimeSpan;

    [Fact]
    public async Task A_reminder_fires_when_time_passes_its_due_time_and_not_before()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1");
        await ActorTestbed.Proxy("r1", sidecar).StartReminder("ping", TimeSpan.FromSeconds(5), Once);

        bed.Time.Advance(TimeSpan.FromSeconds(4));
        // A reminder due now, fired by the same loop: once it has fired, that loop has seen +4 s.
        await ActorTestbed.Proxy("probe", sidecar).StartReminder("probe", TimeSpan.Zero, Once);
        await Eventually.Until(() => app.Recorder.Count("reminder:probe:probe:probe") == 1, "the probe reminder fired");
        Assert.Equal(0, app.Recorder.Count("reminder:r1:ping:ping"));

        bed.Time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.Until(() => app.Recorder.Count("reminder:r1:ping:ping") == 1, "the reminder fired");
    }

    [Fact]
    public async Task A_one_shot_reminder_is_deleted_after_it_fired()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1");
        await ActorTestbed.Proxy("r2", sidecar).StartReminder("once", TimeSpan.FromSeconds(1), Once);
        Assert.Contains("\"name\":\"once\"", bed.Storage.Text("actors||TestActor"), StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = sidecar };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1.0/actors/TestActor/r2/reminders/once", TestContext.Current.CancellationToken)).StatusCode);

        bed.Time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.Until(() => !bed.Storage.Text("actors||TestActor")!.Contains("\"once\"", StringComparison.Ordinal), "the reminder is deleted");

        Assert.Equal(1, app.Recorder.Count("reminder:r2:once:once"));
        using var gone = await http.GetAsync("/v1.0/actors/TestActor/r2/reminders/once", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var body = JsonDocument.Parse(await gone.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("ERR_ACTOR_REMINDER_NOT_FOUND", body.RootElement.GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task A_reminder_whose_callback_fails_is_retried_until_it_succeeds()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1");
        app.Recorder.FailNextReminders(2);
        await ActorTestbed.Proxy("r3", sidecar).StartReminder("flaky", TimeSpan.FromSeconds(1), Once);

        await Eventually.UntilAdvancing(bed.Time, TimeSpan.FromSeconds(1), () => app.Recorder.Count("reminder:r3:flaky:flaky") == 1, "the reminder succeeded");

        Assert.Equal(2, app.Recorder.Count("reminder-failed:r3:flaky"));
        await Eventually.Until(() => !bed.Storage.Text("actors||TestActor")!.Contains("\"flaky\"", StringComparison.Ordinal), "the reminder is deleted");
    }

    [Fact]
    public async Task A_reminder_outlives_the_emulator_runtime_and_the_app_that_registered_it()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var storage = new InMemoryActorStateStorage();
        await using (var before = new ActorTestbed(time, storage))
        {
            var sidecar = await before.StartSidecarAsync("shop");
            await before.StartAppAsync("shop", sidecar, "shop-1");
            await ActorTestbed.Proxy("r4", sidecar).StartReminder("later", TimeSpan.FromSeconds(10), Once);
        }

        await using var after = new ActorTestbed(time, storage);
        var newSidecar = await after.StartSidecarAsync("shop");
        var newApp = await after.StartAppAsync("shop", newSidecar, "shop-1-restarted");

        time.Advance(TimeSpan.FromSeconds(10));
        await Eventually.Until(() => newApp.Recorder.Count("reminder:r4:later:later") == 1, "the reloaded reminder fired");
    }

    [Fact]
    public async Task A_reminder_due_while_its_app_is_away_fires_once_the_app_is_back()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1");
        await ActorTestbed.Proxy("r9", sidecar).StartReminder("wake", TimeSpan.FromSeconds(5), Once);

        bed.Runtime.UnregisterHost(app.Url);
        bed.Time.Advance(TimeSpan.FromSeconds(10));
        var back = await bed.StartAppAsync("shop", sidecar, "shop-1-back");

        await Eventually.Until(() => back.Recorder.Count("reminder:r9:wake:wake") == 1, "the reminder fired on the app that came back");
        Assert.Equal(0, app.Recorder.Count("reminder:r9:wake:wake"));
    }

    [Fact]
    public async Task An_app_registering_again_at_the_same_address_keeps_its_reminders()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1");
        await ActorTestbed.Proxy("r10", sidecar).StartReminder("again", TimeSpan.FromSeconds(5), Once);

        await bed.Runtime.RegisterHostAsync("shop", app.Url, bed.Storage, TestContext.Current.CancellationToken);
        bed.Time.Advance(TimeSpan.FromSeconds(5));

        await Eventually.Until(() => app.Recorder.Count("reminder:r10:again:again") == 1, "the reminder fired");
    }

    [Fact]
    public async Task A_reminder_with_repetitions_fires_that_many_times_then_is_deleted()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1");
        await ActorTestbed.Proxy("r5", sidecar).StartRepeatingReminder("thrice", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 3);
        Assert.Contains("\"period\":\"R3/PT2S\"", bed.Storage.Text("actors||TestActor"), StringComparison.Ordinal);

        await Eventually.UntilAdvancing(bed.Time, TimeSpan.FromSeconds(1), () => !bed.Storage.Text("actors||TestActor")!.Contains("\"thrice\"", StringComparison.Ordinal), "the reminder is deleted");

        Assert.Equal(3, app.Recorder.Count("reminder:r5:thrice:thrice"));
    }

    [Fact]
    public async Task A_periodic_reminder_keeps_its_progress_in_a_track_record()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1");
        await ActorTestbed.Proxy("r6", sidecar).StartReminder("tick", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));

        bed.Time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.Until(() => bed.Storage.Text("TestActor||r6||tick") is not null, "the track is written");

        Assert.Equal("""{"lastFiredTime":"2026-01-01T00:00:01Z","repetitionLeft":-1}""", bed.Storage.Text("TestActor||r6||tick"));
        Assert.Equal(1, app.Recorder.Count("reminder:r6:tick:tick"));
    }

    [Fact]
    public async Task Reminder_calls_on_a_sidecar_whose_app_does_not_host_the_type_are_forbidden()
    {
        await using var bed = new ActorTestbed();
        var shopSidecar = await bed.StartSidecarAsync("shop");
        var otherSidecar = await bed.StartSidecarAsync("web");
        await bed.StartAppAsync("shop", shopSidecar, "shop-1");
        using var http = new HttpClient { BaseAddress = otherSidecar };

        using var response = await http.PutAsync(
            "/v1.0/actors/TestActor/r7/reminders/x",
            new StringContent("""{"dueTime":"0h0m1s0ms","period":""}""", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("ERR_ACTOR_REMINDER_NON_HOSTED", body.RootElement.GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task A_period_in_days_is_refused_as_the_scheduler_refuses_it()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        await bed.StartAppAsync("shop", sidecar, "shop-1");
        using var http = new HttpClient { BaseAddress = sidecar };

        using var response = await http.PutAsync(
            "/v1.0/actors/TestActor/r8/reminders/daily",
            new StringContent("""{"dueTime":"0h0m1s0ms","period":"P1D"}""", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("ERR_ACTOR_REMINDER_CREATE", body.RootElement.GetProperty("errorCode").GetString());
        Assert.Equal("error creating actor reminder: unsupported period format: P1D", body.RootElement.GetProperty("message").GetString());
    }
}
