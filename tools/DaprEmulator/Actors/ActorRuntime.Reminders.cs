using System.Text.Json;
using DaprEmulator.Scheduler;

namespace DaprEmulator.Actors;

// Reminders, as daprd runs them with the Scheduler service (pkg/actors/internal/scheduler,
// pkg/runtime/scheduler): only on a sidecar whose app hosts the type, period without
// years/months/days, overwrite by default, fired with an empty dueTime and period. Each is a job
// of the ReminderScheduler, which outlives the app, its sidecar and this runtime; nothing of a
// reminder goes to the actor state store.
public sealed partial class ActorRuntime
{
    internal void CreateReminder(string appId, string actorType, string actorId, string name, byte[] body)
    {
        var request = ScheduleRequest.ParseReminder(body);
        EnsureHosted(appId, actorType);
        var now = time.GetUtcNow();
        var due = DueTime(request.DueTime, now, "reminder", ActorApiException.ReminderCreate);
        var period = DaprPeriod.None;
        if (request.Period.Length > 0
            && (!DaprTime.TryParsePeriod(request.Period, out period) || period.Years > 0 || period.Months > 0 || period.Days > 0))
        {
            throw ActorApiException.ReminderCreate($"unsupported period format: {request.Period}");
        }

        var job = new ReminderJob(new ReminderKey(appId, actorType, actorId, name))
        {
            Data = request.Data,
            DueTime = request.DueTime,
            Period = request.Period,
            Ttl = request.Ttl,
            ParsedPeriod = period,
            Expiration = Expiration(request.Ttl, due, now, $"reminder {actorType}||{actorId}||{name}", ActorApiException.ReminderCreate),
            NextDue = due,
            NextAttempt = due,
            RepeatsLeft = period.Repeats > 0 ? period.Repeats : -1,
        };
        if (!scheduler.Schedule(job, request.Overwrite ?? true))
        {
            throw ActorApiException.ReminderAlreadyExists(name);
        }

        Kick();
    }

    // GET .../reminders/{name}: the Scheduler's view of it (universal.GetActorReminder).
    internal byte[] GetReminder(string appId, string actorType, string actorId, string name)
    {
        EnsureHosted(appId, actorType);
        var reminder = scheduler.Get(new ReminderKey(appId, actorType, actorId, name))
            ?? throw ActorApiException.ReminderNotFound(name);

        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("actorID", actorId);
            writer.WriteString("actorType", actorType);
            if (reminder.Data is { } data)
            {
                writer.WritePropertyName("data");
                writer.WriteRawValue(data);
            }

            if (reminder.DueTime.Length > 0)
            {
                writer.WriteString("dueTime", reminder.DueTime);
            }

            if (reminder.Period.Length > 0)
            {
                writer.WriteString("period", "@every " + DaprTime.FormatGoDuration(reminder.ParsedPeriod.Duration));
            }

            // daprd reads the Scheduler's ttl back as an RFC 3339 time and leaves it out otherwise.
            if (DaprTime.TryParseRfc3339(reminder.Ttl, out var ttl))
            {
                writer.WriteString("ttl", DaprTime.FormatRfc3339Nano(ttl));
            }

            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    internal void DeleteReminder(string appId, string actorType, string actorId, string name)
    {
        EnsureHosted(appId, actorType);
        scheduler.Delete(new ReminderKey(appId, actorType, actorId, name));
    }

    private void EnsureHosted(string appId, string actorType)
    {
        if (!HostsType(appId, actorType))
        {
            throw ActorApiException.ReminderNotHosted();
        }
    }

    // dapr/kit time.ParseTime from now; no due time is now. kind: "timer" or "reminder".
    private static DateTimeOffset DueTime(string dueTime, DateTimeOffset now, string kind, Func<string, ActorApiException> error)
    {
        try
        {
            return dueTime.Length == 0 ? now : DaprTime.ParseTime(dueTime, now);
        }
        catch (FormatException ex)
        {
            throw error($"error parsing {kind} due time: {ex.Message}");
        }
    }

    private static DateTimeOffset? Expiration(string ttl, DateTimeOffset due, DateTimeOffset now, string what, Func<string, ActorApiException> error)
    {
        if (ttl.Length == 0)
        {
            return null;
        }

        DateTimeOffset expiration;
        try
        {
            expiration = DaprTime.ParseTime(ttl, due);
        }
        catch (FormatException ex)
        {
            throw error($"error parsing {what.Split(' ')[0]} TTL: {ex.Message}");
        }

        if (now > expiration || due > expiration)
        {
            throw error($"{what} has already expired: dueTime: {DaprTime.FormatRfc3339Nano(due)} TTL: {ttl}");
        }

        return expiration;
    }

    // A trigger of the job: the callback in the actor's turn on the host that owns the id. Whether
    // it counts as a failed attempt is daprd's streamer.go handleJob: a host that was called and
    // failed (refused, non-200, actor error) is a failure; a host that left under the call, or none
    // at all, makes the trigger undeliverable and the job waits for a host of the app.
    private async Task FireReminderAsync(ReminderJob job)
    {
        var key = job.Key;
        ActorHost? called = null;
        TriggerResult result;
        string? error = null;
        try
        {
            var (_, outcome) = await InvokeAsync(
                key.ActorType,
                key.ActorId,
                (host, ct) =>
                {
                    called = host;
                    return CallCallbackAsync(host, key.ActorType, key.ActorId, "remind", key.Name, ReminderFireBody(job), ct);
                },
                stillWanted: () => scheduler.IsCurrent(job),
                retryNoAddress: false,
                CancellationToken.None);
            result = outcome == CallbackOutcome.Canceled ? TriggerResult.Canceled : TriggerResult.Success;
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            result = TriggerResult.Undeliverable;
        }
        catch (Exception ex)
        {
            error = ex.Message;
            result = called is not null && IsRegistered(called) ? TriggerResult.Failed : TriggerResult.Undeliverable;
        }

        var retrying = scheduler.Complete(job, result);
        if (result == TriggerResult.Failed)
        {
            logger.LogError(
                "Error executing reminder {Name} for actor {ActorType}||{ActorId}: {Error}; {Next}",
                key.Name, key.ActorType, key.ActorId, error,
                retrying
                    ? $"retrying in {DaprTime.FormatGoDuration(ReminderScheduler.RetryInterval)}"
                    : $"dropping this trigger after {ReminderScheduler.MaxRetries} retries");
        }
        else if (result == TriggerResult.Undeliverable && error is not null)
        {
            logger.LogInformation(
                "Reminder {Name} for actor {ActorType}||{ActorId} not delivered ({Error}): it waits for a host of {AppId}",
                key.Name, key.ActorType, key.ActorId, error, key.AppId);
        }

        Kick();
    }

    // What the Scheduler path of daprd sends (runtime/scheduler streamer: the reminder's data only),
    // so Dapr.Actors hands ReceiveReminderAsync a dueTime and period of -1 ms, as with daprd.
    private static byte[] ReminderFireBody(ReminderJob reminder) =>
        CallbackBody(reminder.Data, ("dueTime", ""), ("period", ""));
}
