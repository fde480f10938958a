namespace DaprEmulator.Actors;

// Timers, as daprd keeps them (pkg/actors/timers, internal/timers/inmemory): in memory only,
// for actor types the sidecar's app hosts; gone when the actor deactivates. A failed callback
// still moves the timer on, and the next tick is counted from the scheduled one.
public sealed partial class ActorRuntime
{
    internal void CreateTimer(string appId, string actorType, string actorId, string name, byte[] body)
    {
        var request = ScheduleRequest.ParseTimer(body);
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
            if (!timers.TryGetValue((actorType, actorId), out var named))
            {
                timers[(actorType, actorId)] = named = new(StringComparer.Ordinal);
            }

            named[name] = timer;
            timerQueue.Enqueue(timer, due);
        }

        Kick();
    }

    internal void DeleteTimer(string actorType, string actorId, string name)
    {
        lock (gate)
        {
            DeleteTimerLocked(actorType, actorId, name);
        }
    }

    // Test hook: the timers the runtime holds, as "{type}||{id}||{name}".
    internal IReadOnlyList<string> TimerKeys()
    {
        lock (gate)
        {
            return [.. timers.SelectMany(actor => actor.Value.Keys.Select(name => $"{actor.Key.Type}||{actor.Key.Id}||{name}"))];
        }
    }

    // Starts the timers due by now; returns when the next one is. A deleted or replaced timer
    // leaves its entry behind, dropped when it comes up.
    private DateTimeOffset? DispatchTimersLocked(DateTimeOffset now, ref int examined)
    {
        while (timerQueue.TryPeek(out var timer, out var at))
        {
            examined++;
            var live = IsCurrentLocked(timer);
            if (live && at > now)
            {
                return at;
            }

            timerQueue.Dequeue();
            if (live)
            {
                StartLocked(() => FireTimerAsync(timer));
            }
        }

        return null;
    }

    private void DeleteTimerLocked(string actorType, string actorId, string name)
    {
        if (timers.TryGetValue((actorType, actorId), out var named) && named.Remove(name) && named.Count == 0)
        {
            timers.Remove((actorType, actorId));
        }
    }

    private bool IsCurrentLocked(ActorTimer timer) =>
        timers.TryGetValue((timer.ActorType, timer.ActorId), out var named)
        && named.TryGetValue(timer.Name, out var current) && current == timer;

    private async Task FireTimerAsync(ActorTimer timer)
    {
        var canceled = false;
        try
        {
            var (ran, outcome) = await InvokeAsync(
                timer.ActorType,
                timer.ActorId,
                (host, ct) => CallCallbackAsync(host, timer.ActorType, timer.ActorId, "timer", timer.Name, TimerFireBody(timer), ct),
                stillWanted: () => IsCurrentLocked(timer),
                retryNoAddress: false,
                CancellationToken.None);
            if (!ran)
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
            if (!IsCurrentLocked(timer))
            {
                return;
            }

            if (timer.NextTick(canceled) is { } next)
            {
                timer.NextDue = next.Due;
                timer.RepeatsLeft = next.RepeatsLeft;
                timerQueue.Enqueue(timer, next.Due);
            }
            else
            {
                DeleteTimerLocked(timer.ActorType, timer.ActorId, timer.Name);
            }
        }

        Kick();
    }

    // api.TimerResponse: data as sent, callback, and the dueTime and period as registered.
    private static byte[] TimerFireBody(ActorTimer timer) =>
        CallbackBody(timer.Data, ("callback", timer.Callback), ("dueTime", timer.DueTime), ("period", timer.Period));
}
