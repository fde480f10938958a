using System.Net;

namespace DaprEmulator.Tests.Actors;

// What one more reminder costs among many (each placed order registers one): counted in records
// written and queue entries looked at, never in time.
public sealed class ReminderCostTests
{
    private const int Pending = 10_000;
    private static readonly byte[] InHalfAnHour = """{"dueTime":"0h30m0s0ms","period":""}"""u8.ToArray();

    [Fact]
    public async Task Registering_a_reminder_among_ten_thousand_writes_one_job_record_and_no_actor_state()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        await bed.StartAppAsync("shop", sidecar, "shop-1");
        for (var i = 0; i < Pending; i++)
        {
            bed.Runtime.CreateReminder("shop", TestActor.TypeName, $"order-{i}", "payment-deadline", InHalfAnHour);
        }

        await bed.SettledAsync();
        var writes = bed.Scheduler.RecordWrites;
        var keys = bed.Storage.KeysTouched;

        using var http = new HttpClient { BaseAddress = sidecar };
        using var response = await http.PutAsync(
            "/v1.0/actors/TestActor/order-new/reminders/payment-deadline", new ByteArrayContent(InHalfAnHour), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(1, bed.Scheduler.RecordWrites - writes);
        Assert.Equal(0, bed.Storage.KeysTouched - keys);
    }

    [Fact]
    public async Task A_wake_of_the_loop_among_ten_thousand_pending_reminders_and_timers_looks_only_at_what_is_due()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1");
        var timer = """{"dueTime":"0h30m0s0ms","period":"","callback":"OnTimer"}"""u8.ToArray();
        for (var i = 0; i < Pending; i++)
        {
            bed.Runtime.CreateReminder("shop", TestActor.TypeName, $"order-{i}", "payment-deadline", InHalfAnHour);
            bed.Runtime.CreateTimer("shop", TestActor.TypeName, $"order-{i}", "poll", timer);
        }

        await bed.SettledAsync();
        var (dispatchesBefore, examinedBefore) = bed.Runtime.DispatchCounts;

        bed.Runtime.CreateReminder("shop", TestActor.TypeName, "order-soon", "soon", """{"dueTime":"0h0m1s0ms","data":"cGluZw=="}"""u8.ToArray());
        bed.Time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.Until(() => app.Recorder.Count("reminder:order-soon:soon:ping") == 1, "the due reminder fired");
        await bed.SettledAsync();

        var (dispatchesAfter, examinedAfter) = bed.Runtime.DispatchCounts;
        var dispatches = dispatchesAfter - dispatchesBefore;
        var examined = examinedAfter - examinedBefore;

        // Each wake looks at the front of its three queues (reminders, timers, idle actors); only
        // the one reminder due is taken off.
        Assert.True(dispatches >= 1);
        Assert.True(examined <= (3 * dispatches) + 1, $"{dispatches} wakes looked at {examined} queue entries");
    }
}
