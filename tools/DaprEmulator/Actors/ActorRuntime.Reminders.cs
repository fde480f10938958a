using System.Text.Json;

namespace DaprEmulator.Actors;

// Reminders, as daprd runs them with the Scheduler service (pkg/actors/internal/scheduler,
// pkg/runtime/scheduler): only on a sidecar whose app hosts the type, period without
// years/months/days, overwrite by default, fired with an empty dueTime and period. Stored in the
// app's actor state store (see ReminderStorage), so they outlive the app, its sidecar and the
// emulator's ActorRuntime.
public sealed partial class ActorRuntime
{
    // The Scheduler's default failure policy retries after 1 s. Unlike the Scheduler (which gives
    // up after a few attempts) the emulator keeps retrying: a reminder is only lost by deleting it.
    private static readonly TimeSpan ReminderRetryInterval = TimeSpan.FromSeconds(1);

    internal async Task CreateReminderAsync(string appId, string actorType, string actorId, string name, byte[] body, CancellationToken ct)
    {
        var request = ScheduleRequest.Parse(body, "api.CreateReminderRequest");
        if (request.HasFailurePolicy)
        {
            throw ActorApiException.NotSupported("a reminder failure_policy");
        }

        var scope = HostedScope(appId, actorType);
        var now = time.GetUtcNow();
        var due = DueTime(request.DueTime, now, "reminder", ActorApiException.ReminderCreate);
        var period = DaprPeriod.None;
        if (request.Period.Length > 0
            && (!DaprTime.TryParsePeriod(request.Period, out period) || period.Years > 0 || period.Months > 0 || period.Days > 0))
        {
            throw ActorApiException.ReminderCreate($"unsupported period format: {request.Period}");
        }

        var expiration = Expiration(request.Ttl, due, now, $"reminder {actorType}||{actorId}||{name}", ActorApiException.ReminderCreate);
        var reminder = new Reminder(actorId, name)
        {
            Data = request.Data,
            DueTime = request.DueTime,
            Period = request.Period,
            Ttl = request.Ttl,
            ParsedPeriod = period,
            RegisteredTime = due,
            Expiration = expiration,
            NextDue = due,
            NextAttempt = due,
            RepeatsLeft = period.Repeats > 0 ? period.Repeats : -1,
        };

        await scope.Writes.WaitAsync(ct);
        try
        {
            lock (gate)
            {
                if (request.Overwrite == false && scope.Reminders.ContainsKey((actorId, name)))
                {
                    throw ActorApiException.ReminderAlreadyExists(name);
                }
            }

            try
            {
                await WriteListAsync(
                    scope,
                    records =>
                    {
                        records.RemoveAll(r => r.ActorId == actorId && r.Name == name);
                        records.Add(reminder.ToRecord());
                    },
                    [ReminderStorage.DeleteTrackOperation(actorType, actorId, name)],
                    ct);
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or ActorApiException))
            {
                throw ActorApiException.ReminderCreate(ex.Message);
            }

            lock (gate)
            {
                scope.Reminders[(actorId, name)] = reminder;
            }
        }
        finally
        {
            scope.Writes.Release();
        }

        Kick();
    }

    // GET .../reminders/{name}: the Scheduler's view of it (universal.GetActorReminder).
    internal byte[] GetReminder(string appId, string actorType, string actorId, string name)
    {
        var scope = HostedScope(appId, actorType);
        Reminder? reminder;
        lock (gate)
        {
            scope.Reminders.TryGetValue((actorId, name), out reminder);
        }

        if (reminder is null)
        {
            throw ActorApiException.ReminderNotFound(name);
        }

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

    internal async Task DeleteReminderAsync(string appId, string actorType, string actorId, string name, CancellationToken ct)
    {
        var scope = HostedScope(appId, actorType);
        await scope.Writes.WaitAsync(ct);
        try
        {
            await WriteListAsync(
                scope,
                records => records.RemoveAll(r => r.ActorId == actorId && r.Name == name),
                [ReminderStorage.DeleteTrackOperation(actorType, actorId, name)],
                ct);
            lock (gate)
            {
                scope.Reminders.Remove((actorId, name));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw ActorApiException.ReminderDelete(ex.Message);
        }
        finally
        {
            scope.Writes.Release();
        }
    }

    private ReminderScope HostedScope(string appId, string actorType)
    {
        lock (gate)
        {
            return hosts.Exists(h => h.AppId == appId && h.Hosts(actorType))
                && reminderScopes.TryGetValue((appId, actorType), out var scope)
                ? scope
                : throw ActorApiException.ReminderNotHosted();
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

    private static async Task WriteListAsync(ReminderScope scope, Action<List<ReminderStorage.Record>> change, ActorStateOperation[] more, CancellationToken ct)
    {
        // The list's ETag guards against another emulator writing the same store; on a conflict
        // the change is applied again to a fresh read.
        for (var attempt = 1; ; attempt++)
        {
            var (records, etag) = await ReminderStorage.ReadAsync(scope.Storage, scope.ActorType, ct);
            change(records);
            try
            {
                await scope.Storage.TransactAsync(ReminderStorage.ListOperations(scope.ActorType, records, etag, more), ct);
                return;
            }
            catch (Exception) when (attempt < 3 && !ct.IsCancellationRequested)
            {
            }
        }
    }

    private async Task<ReminderScope> LoadRemindersAsync(string appId, string actorType, IActorStateStorage storage, CancellationToken ct)
    {
        var scope = new ReminderScope(appId, actorType, storage);
        var (records, _) = await ReminderStorage.ReadAsync(storage, actorType, ct);
        foreach (var record in records)
        {
            var period = DaprPeriod.None;
            if (record.Period.Length > 0 && !DaprTime.TryParsePeriod(record.Period, out period))
            {
                logger.LogError("Skipping stored reminder {ActorType}||{ActorId}||{Name}: unsupported period format: {Period}", actorType, record.ActorId, record.Name, record.Period);
                continue;
            }

            var next = record.RegisteredTime;
            var repeats = period.Repeats > 0 ? period.Repeats : -1;
            if (await ReminderStorage.ReadTrackAsync(storage, actorType, record.ActorId, record.Name, ct) is { LastFiredTime: { } lastFired } track)
            {
                next = period.Following(lastFired);
                repeats = track.RepetitionLeft;
            }

            if (repeats == 0 || (record.ExpirationTime is { } expiration && next >= expiration))
            {
                continue;
            }

            scope.Reminders[(record.ActorId, record.Name)] = new Reminder(record.ActorId, record.Name)
            {
                Data = record.Data,
                DueTime = record.DueTime,
                Period = record.Period,
                Ttl = record.Ttl,
                ParsedPeriod = period,
                RegisteredTime = record.RegisteredTime,
                Expiration = record.ExpirationTime,
                NextDue = next,
                NextAttempt = next,
                RepeatsLeft = repeats,
            };
        }

        if (scope.Reminders.Count > 0)
        {
            logger.LogInformation("Loaded {Count} reminders of actor type {ActorType} for app {AppId}", scope.Reminders.Count, actorType, appId);
        }

        return scope;
    }

    private async Task FireReminderAsync(ReminderScope scope, Reminder reminder)
    {
        var actorType = scope.ActorType;
        bool CurrentLocked() =>
            reminderScopes.TryGetValue((scope.AppId, actorType), out var s) && s == scope
            && scope.Reminders.TryGetValue((reminder.ActorId, reminder.Name), out var r) && r == reminder;

        CallbackOutcome outcome;
        try
        {
            if (await TickAsync(reminder, actorType, "remind", ReminderFireBody(reminder), CurrentLocked) is not { } result)
            {
                return;
            }

            outcome = result;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            logger.LogError(
                "Error executing reminder {Name} for actor {ActorType}||{ActorId}: {Error}; retrying in {Interval}",
                reminder.Name, actorType, reminder.ActorId, ex.Message, ReminderRetryInterval);
            lock (gate)
            {
                reminder.InFlight = false;
                reminder.NextAttempt = time.GetUtcNow() + ReminderRetryInterval;
            }

            Kick();
            return;
        }

        (DateTimeOffset Due, int RepeatsLeft)? next;
        lock (gate)
        {
            next = reminder.NextTick(outcome == CallbackOutcome.Canceled);
        }

        try
        {
            await scope.Writes.WaitAsync(stopping.Token);
            try
            {
                bool current;
                lock (gate)
                {
                    current = CurrentLocked();
                }

                if (current && next is { } tick)
                {
                    await scope.Storage.TransactAsync(
                        [ReminderStorage.TrackOperation(actorType, reminder.ActorId, reminder.Name, reminder.NextDue, tick.RepeatsLeft)],
                        stopping.Token);
                }
                else if (current)
                {
                    await WriteListAsync(
                        scope,
                        records => records.RemoveAll(r => r.ActorId == reminder.ActorId && r.Name == reminder.Name),
                        [ReminderStorage.DeleteTrackOperation(actorType, reminder.ActorId, reminder.Name)],
                        stopping.Token);
                }
            }
            finally
            {
                scope.Writes.Release();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            logger.LogError("Saving reminder {Name} of actor {ActorType}||{ActorId} after it fired: {Error}", reminder.Name, actorType, reminder.ActorId, ex.Message);
        }

        lock (gate)
        {
            reminder.InFlight = false;
            if (next is { } tick)
            {
                reminder.NextDue = tick.Due;
                reminder.NextAttempt = tick.Due;
                reminder.RepeatsLeft = tick.RepeatsLeft;
            }
            else if (CurrentLocked())
            {
                scope.Reminders.Remove((reminder.ActorId, reminder.Name));
            }
        }

        Kick();
    }

    // What the Scheduler path of daprd sends (runtime/scheduler streamer: the reminder's data only),
    // so Dapr.Actors hands ReceiveReminderAsync a dueTime and period of -1 ms, as with daprd.
    private static byte[] ReminderFireBody(Reminder reminder) =>
        CallbackBody(reminder.Data, ("dueTime", ""), ("period", ""));
}
