namespace DaprEmulator.Actors;

// Timers, as daprd keeps them (pkg/actors/timers, internal/timers/inmemory): in memory only,
// for actor types the sidecar's app hosts; gone when the actor deactivates. A failed callback
// still moves the timer on, and the next tick is counted from the scheduled one.
public sealed partial class ActorRuntime
{
    internal void CreateTimer(string appId, string actorType, string actorId, string name, byte[] body)
    {
        var request = ScheduleRequest.Parse(body, "api.CreateTimerRequest");
        if (!HostsType(appId, actorType))
        {
            throw ActorApiException.TimerCreate($"can't create timer for actor {actorType}||{actorId}: actor type not registered");
        }

        var now = time.GetUtcNow();
        var due = DueTime(request.DueTime, now, "timer", ActorApiException.TimerCreate);
        var period = DaprPeriod.None;
        if (request.Period.Length > 0)
        {
            if (!DaprTime.TryParsePeriod(request.Period, out period))
            {
                throw ActorApiException.TimerCreate($"invalid timer period: parse error: unsupported duration format: {request.Period}");
            }

            if (period.Repeats == 0)
            {
                throw ActorApiException.TimerCreate("invalid timer period: has zero repetitions");
            }
        }

        var timer = new ActorTimer(actorType, actorId, name)
        {
            Data = request.Data,
            Callback = request.Callback,
            DueTime = request.DueTime,
            Period = request.Period,
            ParsedPeriod = period,
            Expiration = Expiration(request.Ttl, due, now, $"timer {actorType}||{actorId}||{name}", ActorApiException.TimerCreate),
            NextDue = due,
            RepeatsLeft = period.Repeats,
        };
        lock (gate)
        {
            timers[(actorType, actorId, name)] = timer;
        }

        Kick();
    }

    internal void DeleteTimer(string actorType, string actorId, string name)
    {
        lock (gate)
        {
            timers.Remove((actorType, actorId, name));
        }
    }

    // Test hook: the timers the runtime holds, as "{type}||{id}||{name}".
    internal IReadOnlyList<string> TimerKeys()
    {
        lock (gate)
        {
            return [.. timers.Keys.Select(k => $"{k.Type}||{k.Id}||{k.Name}")];
        }
    }

    private async Task FireTimerAsync(ActorTimer timer)
    {
        var key = (timer.ActorType, timer.ActorId, timer.Name);
        bool CurrentLocked() => timers.TryGetValue(key, out var t) && t == timer;

        var canceled = false;
        try
        {
            if (await TickAsync(timer, timer.ActorType, "timer", TimerFireBody(timer), CurrentLocked) is not { } outcome)
            {
                return;
            }

            canceled = outcome == CallbackOutcome.Canceled;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            logger.LogError("Error executing timer {Name} for actor {ActorType}||{ActorId}: {Error}", timer.Name, timer.ActorType, timer.ActorId, ex.Message);
        }

        lock (gate)
        {
            timer.InFlight = false;
            if (!CurrentLocked())
            {
                return;
            }

            if (timer.NextTick(canceled) is { } next)
            {
                timer.NextDue = next.Due;
                timer.RepeatsLeft = next.RepeatsLeft;
            }
            else
            {
                timers.Remove(key);
            }
        }

        Kick();
    }

    // api.TimerResponse: data as sent, callback, and the dueTime and period as registered.
    private static byte[] TimerFireBody(ActorTimer timer) =>
        CallbackBody(timer.Data, ("callback", timer.Callback), ("dueTime", timer.DueTime), ("period", timer.Period));
}
