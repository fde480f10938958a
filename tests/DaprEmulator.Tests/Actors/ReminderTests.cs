using System.Net;
using System.Text;
using System.Text.Json;
using DaprEmulator.Scheduler;
using Microsoft.Extensions.Time.Testing;

namespace DaprEmulator.Tests.Actors;

public sealed class ReminderTests
{
    private static readonly TimeSpan Once = Timeout.InfiniteTimeSpan;
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task A_reminder_fires_when_time_passes_its_due_time_and_not_before()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1");
        await ActorTestbed.Proxy("r1", sidecar).StartReminder("ping", TimeSpan.FromSeconds(5), Once);

        await bed.AdvanceAndSettleAsync(TimeSpan.FromSeconds(5) - Tick);
        Assert.Equal(0, app.Recorder.Count("reminder:r1:ping:ping"));

        bed.Time.Advance(Tick);
        await Eventually.Until(() => app.Recorder.Count("reminder:r1:ping:ping") == 1, "the reminder fired");
    }

    [Fact]
    public async Task A_one_shot_reminder_is_deleted_after_it_fired()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1");
        await ActorTestbed.Proxy("r2", sidecar).StartReminder("once", Second, Once);
        Assert.Equal(HttpStatusCode.OK, await GetStatusAsync(sidecar, "r2", "once"));

        bed.Time.Advance(Second);
        await Eventually.Until(() => app.Recorder.Count("reminder:r2:once:once") == 1, "the reminder fired");
        await bed.SettledAsync();

        using var http = new HttpClient { BaseAddress = sidecar };
        using var gone = await http.GetAsync("/v1.0/actors/TestActor/r2/reminders/once", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("ERR_ACTOR_REMINDER_NOT_FOUND", await ErrorCodeAsync(gone));
    }

    [Fact]
    public async Task A_periodic_reminder_fires_each_period_counted_from_its_due_time()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1");
        await ActorTestbed.Proxy("r6", sidecar).StartReminder("tick", Second, TimeSpan.FromSeconds(5));

        bed.Time.Advance(Second);
        await Eventually.Until(() => app.Recorder.Count("reminder:r6:tick:tick") == 1, "the first tick");
        await bed.AdvanceAndSettleAsync(TimeSpan.FromSeconds(5) - Tick);
        Assert.Equal(1, app.Recorder.Count("reminder:r6:tick:tick"));
        bed.Time.Advance(Tick);
        await Eventually.Until(() => app.Recorder.Count("reminder:r6:tick:tick") == 2, "the second tick");

        using var http = new HttpClient { BaseAddress = sidecar };
        Assert.Equal(
            """{"actorID":"r6","actorType":"TestActor","data":"dGljaw==","dueTime":"0h0m1s0ms","period":"@every 5s"}""",
            await http.GetStringAsync("/v1.0/actors/TestActor/r6/reminders/tick", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_reminder_with_repetitions_fires_that_many_times_then_is_deleted()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1");
        await ActorTestbed.Proxy("r5", sidecar).StartRepeatingReminder("thrice", Second, TimeSpan.FromSeconds(2), 3);

        bed.Time.Advance(Second);
        await Eventually.Until(() => app.Recorder.Count("reminder:r5:thrice:thrice") == 1, "the first tick");
        for (var fired = 2; fired <= 3; fired++)
        {
            bed.Time.Advance(TimeSpan.FromSeconds(2));
            await Eventually.Until(() => app.Recorder.Count("reminder:r5:thrice:thrice") == fired, $"tick {fired}");
        }

        await bed.SettledAsync();
        Assert.Equal(HttpStatusCode.NotFound, await GetStatusAsync(sidecar, "r5", "thrice"));
        await bed.AdvanceAndSettleAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, app.Recorder.Count("reminder:r5:thrice:thrice"));
    }

    [Fact]
    public async Task A_reminder_registered_again_replaces_the_first_unless_overwrite_is_false()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1");
        Assert.Equal(HttpStatusCode.NoContent, (await PutAsync(sidecar, "r13", "x", """{"dueTime":"0h0m5s0ms","data":"eA=="}""")).StatusCode);

        using var refused = await PutAsync(sidecar, "r13", "x", """{"dueTime":"0h0m1s0ms","data":"eA==","overwrite":false}""");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("ERR_ACTOR_REMINDER_ALREADY_EXISTS", await ErrorCodeAsync(refused));
        Assert.Equal(HttpStatusCode.NoContent, (await PutAsync(sidecar, "r13", "x", """{"dueTime":"0h0m10s0ms","data":"eA=="}""")).StatusCode);

        await bed.AdvanceAndSettleAsync(TimeSpan.FromSeconds(10) - Tick);
        Assert.Equal(0, app.Recorder.Count("reminder:r13:x:x"));
        bed.Time.Advance(Tick);
        await Eventually.Until(() => app.Recorder.Count("reminder:r13:x:x") == 1, "the replacing reminder fired");
        await bed.AdvanceAndSettleAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, app.Recorder.Count("reminder:r13:x:x"));
    }

    [Fact]
    public async Task A_failing_callback_is_retried_one_second_after_the_attempt_and_a_success_ends_the_retries()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1");
        app.Recorder.FailNextReminders(2);
        await ActorTestbed.Proxy("r3", sidecar).StartReminder("flaky", Second, Once);

        bed.Time.Advance(Second);
        await Eventually.Until(() => app.Recorder.Count("reminder-failed:r3:flaky") == 1, "the first attempt failed");
        await bed.AdvanceAndSettleAsync(Second - Tick);
        Assert.Equal(1, app.Recorder.Count("reminder-failed:r3:flaky"));
        bed.Time.Advance(Tick);
        await Eventually.Until(() => app.Recorder.Count("reminder-failed:r3:flaky") == 2, "the first retry failed");
        bed.Time.Advance(Second);
        await Eventually.Until(() => app.Recorder.Count("reminder:r3:flaky:flaky") == 1, "the second retry succeeded");

        await bed.AdvanceAndSettleAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, app.Recorder.Count("reminder-failed:r3:flaky"));
        Assert.Equal(1, app.Recorder.Count("reminder:r3:flaky:flaky"));
        Assert.Equal(HttpStatusCode.NotFound, await GetStatusAsync(sidecar, "r3", "flaky"));
    }

    [Fact]
    public async Task A_one_shot_reminder_whose_callback_keeps_failing_is_dropped_after_three_retries()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1");
        app.Recorder.FailNextReminders(10);
        await ActorTestbed.Proxy("r11", sidecar).StartReminder("doomed", Second, Once);

        await FailAttemptsOneSecondApartAsync(bed, app, "r11", "doomed", 4);

        Assert.Equal(HttpStatusCode.NotFound, await GetStatusAsync(sidecar, "r11", "doomed"));
        await bed.AdvanceAndSettleAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(4, app.Recorder.Count("reminder-failed:r11:doomed"));
        Assert.Equal(0, app.Recorder.Count("reminder:r11:doomed:doomed"));
        Assert.Contains(bed.Logs, l => l.Contains("reminder doomed for actor TestActor||r11", StringComparison.Ordinal) && l.Contains("dropping this trigger after 3 retries", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_periodic_reminder_whose_trigger_was_dropped_fires_again_on_its_next_tick()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1");
        app.Recorder.FailNextReminders(4);
        await ActorTestbed.Proxy("r12", sidecar).StartReminder("every10s", Second, TimeSpan.FromSeconds(10));

        await FailAttemptsOneSecondApartAsync(bed, app, "r12", "every10s", 4);
        Assert.Equal(HttpStatusCode.OK, await GetStatusAsync(sidecar, "r12", "every10s"));

        // The next tick is due a period after the dropped one was: 0:00:11 (it is 0:00:05).
        await bed.AdvanceAndSettleAsync(TimeSpan.FromSeconds(6) - Tick);
        Assert.Equal(0, app.Recorder.Count("reminder:r12:every10s:every10s"));
        bed.Time.Advance(Tick);
        await Eventually.Until(() => app.Recorder.Count("reminder:r12:every10s:every10s") == 1, "the next tick fired");
        Assert.Equal(4, app.Recorder.Count("reminder-failed:r12:every10s"));
    }

    [Fact]
    public async Task A_reminder_whose_host_refuses_connections_fails_and_is_dropped_after_its_retries()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1");
        await ActorTestbed.Proxy("r14", sidecar).StartReminder("unheard", Second, Once);
        await app.Web.StopAsync(TestContext.Current.CancellationToken);

        // Still registered, so every attempt is a failure (unlike a host that is away).
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            await bed.AdvanceAndSettleAsync(Second);
        }

        Assert.Equal(HttpStatusCode.NotFound, await GetStatusAsync(sidecar, "r14", "unheard"));
        Assert.Equal(4, bed.Logs.Count(l => l.Contains("Error executing reminder unheard for actor TestActor||r14", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("""{"drop":{}}""")]
    [InlineData("""{"constant":{"interval":"5s","maxRetries":10}}""")]
    public async Task A_failure_policy_sent_over_http_sets_no_policy_and_the_default_applies(string policy)
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1");
        app.Recorder.FailNextReminders(10);

        using var created = await PutAsync(sidecar, "p1", "policy", $$"""{"dueTime":"0h0m1s0ms","period":"","data":"cGluZw==","failure_policy":{{policy}}}""");
        Assert.Equal(HttpStatusCode.NoContent, created.StatusCode);

        await FailAttemptsOneSecondApartAsync(bed, app, "p1", "policy", 4);
        Assert.Equal(HttpStatusCode.NotFound, await GetStatusAsync(sidecar, "p1", "policy"));
        await bed.AdvanceAndSettleAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(4, app.Recorder.Count("reminder-failed:p1:policy"));
    }

    [Theory]
    [InlineData("\"drop\"", "json: cannot unmarshal string into Go struct field .failure_policy of type common.JobFailurePolicy")]
    [InlineData("[]", "json: cannot unmarshal array into Go struct field .failure_policy of type common.JobFailurePolicy")]
    [InlineData("""{"policy":{"drop":{}}}""", "json: cannot unmarshal object into Go struct field JobFailurePolicy.failure_policy.Policy of type common.isJobFailurePolicy_Policy")]
    public async Task A_failure_policy_encoding_json_cannot_decode_is_refused_as_a_malformed_body(string policy, string error)
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        await bed.StartAppAsync("shop", sidecar, "shop-1");

        using var response = await PutAsync(sidecar, "p2", "bad", $$"""{"dueTime":"0h0m1s0ms","failure_policy":{{policy}}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("ERR_MALFORMED_REQUEST", body.RootElement.GetProperty("errorCode").GetString());
        Assert.Equal($"failed deserializing HTTP body: {error}", body.RootElement.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.NotFound, await GetStatusAsync(sidecar, "p2", "bad"));
    }

    [Fact]
    public async Task A_reminder_outlives_the_emulator_runtime_and_the_app_that_registered_it()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var scheduler = new ReminderScheduler();
        var firstStore = new InMemoryActorStateStorage();
        await using (var before = new ActorTestbed(time, firstStore, scheduler))
        {
            var sidecar = await before.StartSidecarAsync("shop");
            await before.StartAppAsync("shop", sidecar, "shop-1");
            await ActorTestbed.Proxy("r4", sidecar).StartReminder("later", TimeSpan.FromSeconds(10), Once);
        }

        // The job was with the scheduler, not in the actor state store.
        Assert.Empty(firstStore.Keys);
        await using var after = new ActorTestbed(time, scheduler: scheduler);
        var newSidecar = await after.StartSidecarAsync("shop");
        var newApp = await after.StartAppAsync("shop", newSidecar, "shop-1-restarted");

        time.Advance(TimeSpan.FromSeconds(10));
        await Eventually.Until(() => newApp.Recorder.Count("reminder:r4:later:later") == 1, "the reminder fired on the new runtime");
    }

    [Fact]
    public async Task A_reminder_due_while_its_app_is_away_fires_once_the_app_is_back()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1");
        await ActorTestbed.Proxy("r9", sidecar).StartReminder("wake", TimeSpan.FromSeconds(5), Once);

        bed.Runtime.UnregisterHost(app.Url);
        await bed.AdvanceAndSettleAsync(TimeSpan.FromSeconds(20));
        var back = await bed.StartAppAsync("shop", sidecar, "shop-1-back");

        await Eventually.Until(() => back.Recorder.Count("reminder:r9:wake:wake") == 1, "the reminder fired on the app that came back");
        await bed.SettledAsync();
        Assert.Equal(0, app.Recorder.Count("reminder:r9:wake:wake"));
        Assert.DoesNotContain(bed.Logs, l => l.Contains("Error executing reminder", StringComparison.Ordinal));
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
    public async Task Reminder_calls_on_a_sidecar_whose_app_does_not_host_the_type_are_forbidden()
    {
        await using var bed = new ActorTestbed();
        var shopSidecar = await bed.StartSidecarAsync("shop");
        var otherSidecar = await bed.StartSidecarAsync("web");
        await bed.StartAppAsync("shop", shopSidecar, "shop-1");

        using var response = await PutAsync(otherSidecar, "r7", "x", """{"dueTime":"0h0m1s0ms","period":""}""");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("ERR_ACTOR_REMINDER_NON_HOSTED", await ErrorCodeAsync(response));
    }

    [Fact]
    public async Task A_period_in_days_is_refused_as_the_scheduler_refuses_it()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        await bed.StartAppAsync("shop", sidecar, "shop-1");

        using var response = await PutAsync(sidecar, "r8", "daily", """{"dueTime":"0h0m1s0ms","period":"P1D"}""");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("ERR_ACTOR_REMINDER_CREATE", body.RootElement.GetProperty("errorCode").GetString());
        Assert.Equal("error creating actor reminder: unsupported period format: P1D", body.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_app_asking_for_reminder_storage_partitions_is_told_that_the_scheduler_ignores_them()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");

        await bed.StartAppAsync("shop", sidecar, "shop-1", o => o.RemindersStoragePartitions = 7);

        Assert.Contains(
            "Warning: App shop: remindersStoragePartitions is deprecated and will be removed in future versions; reminders are Scheduler jobs, which ignore it",
            bed.Logs);
    }

    // The attempts of one trigger, each failing: the first at 0:00:01, each retry one second
    // after the one before (and not a millisecond earlier), none after the last.
    private static async Task FailAttemptsOneSecondApartAsync(ActorTestbed bed, ActorApp app, string actorId, string name, int attempts)
    {
        var failed = $"reminder-failed:{actorId}:{name}";
        bed.Time.Advance(Second);
        await Eventually.Until(() => app.Recorder.Count(failed) == 1, "the first attempt failed");
        for (var attempt = 2; attempt <= attempts; attempt++)
        {
            await bed.AdvanceAndSettleAsync(Second - Tick);
            Assert.Equal(attempt - 1, app.Recorder.Count(failed));
            bed.Time.Advance(Tick);
            await Eventually.Until(() => app.Recorder.Count(failed) == attempt, $"attempt {attempt} failed");
        }

        await bed.AdvanceAndSettleAsync(Second);
        Assert.Equal(attempts, app.Recorder.Count(failed));
    }

    private static async Task<HttpResponseMessage> PutAsync(Uri sidecar, string actorId, string name, string json)
    {
        using var http = new HttpClient { BaseAddress = sidecar };
        return await http.PutAsync(
            $"/v1.0/actors/TestActor/{actorId}/reminders/{name}",
            new StringContent(json, Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
    }

    private static async Task<HttpStatusCode> GetStatusAsync(Uri sidecar, string actorId, string name)
    {
        using var http = new HttpClient { BaseAddress = sidecar };
        using var response = await http.GetAsync($"/v1.0/actors/TestActor/{actorId}/reminders/{name}", TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    private static async Task<string?> ErrorCodeAsync(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return body.RootElement.GetProperty("errorCode").GetString();
    }
}
