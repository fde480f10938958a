namespace DaprEmulator.Actors;

public sealed partial class ActorRuntime
{
    // Puts an active actor in the idle queue unless its entry there is due at or before IdleAt:
    // calls move IdleAt later without touching the queue, and an entry that comes up early is
    // queued again at the new IdleAt. True when an entry was added (the loop may have to wake
    // earlier than it planned).
    private bool EnqueueIdleLocked(ActorSlot slot)
    {
        if (slot.ActiveOn is null || (slot.IdleEntry is { } queued && queued <= slot.IdleAt))
        {
            return false;
        }

        slot.IdleEntry = slot.IdleAt;
        idleQueue.Enqueue(slot, slot.IdleAt);
        return true;
    }

    // Starts the deactivation of the actors idle by now; returns when the next one may be.
    private DateTimeOffset? DispatchIdleLocked(DateTimeOffset now, ref int examined)
    {
        while (idleQueue.TryPeek(out var slot, out var at))
        {
            examined++;
            var live = slot.IdleEntry == at && slot.ActiveOn is not null && !slot.Deactivating;
            if (live && at > now)
            {
                return at;
            }

            idleQueue.Dequeue();
            if (slot.IdleEntry == at)
            {
                slot.IdleEntry = null;
            }

            if (!live)
            {
                continue;
            }

            if (slot.IdleAt > now)
            {
                EnqueueIdleLocked(slot);
            }
            else if (!slot.Turn.IsBusy)
            {
                slot.Deactivating = true;
                slot.Users++;
                StartLocked(() => DeactivateIdleAsync(slot));
            }

            // In a turn: whoever releases it queues the actor again.
        }

        return null;
    }

    // An actor idle past its host's actorIdleTimeout gets DELETE /actors/{type}/{id}, in its turn:
    // a call that arrives meanwhile waits and activates it again.
    private async Task DeactivateIdleAsync(ActorSlot slot)
    {
        try
        {
            if (!slot.Turn.TryEnter())
            {
                return;
            }

            try
            {
                ActorHost? host;
                lock (gate)
                {
                    host = slot.ActiveOn;
                    if (host is null || slot.IdleAt > time.GetUtcNow())
                    {
                        return;
                    }

                    // As daprd (targets/app Deactivate): the actor leaves the table before the app
                    // hears of it, and its timers go with it.
                    slot.ActiveOn = null;
                    RemoveTimersLocked(slot.ActorType, slot.ActorId);
                }

                logger.LogDebug("Actor {ActorType}||{ActorId} is idle: deactivating it on {Host}", slot.ActorType, slot.ActorId, host);
                await DeactivateOnHostAsync(host, slot.ActorType, slot.ActorId);
            }
            finally
            {
                slot.Turn.Release();
            }
        }
        finally
        {
            lock (gate)
            {
                slot.Deactivating = false;
                EnqueueIdleLocked(slot);
            }

            ReleaseSlot(slot);
            Kick();
        }
    }

    // A host registered and the id of this active actor now belongs to it.
    private async Task RebalanceAsync(ActorSlot slot)
    {
        try
        {
            await slot.Turn.EnterAsync(stopping.Token);
            try
            {
                ActorHost? host;
                lock (gate)
                {
                    host = slot.ActiveOn;
                    if (host is null || Owner(slot.ActorType, slot.ActorId) == host)
                    {
                        return;
                    }

                    slot.ActiveOn = null;
                    RemoveTimersLocked(slot.ActorType, slot.ActorId);
                }

                if (IsRegistered(host))
                {
                    await DeactivateOnHostAsync(host, slot.ActorType, slot.ActorId);
                }
            }
            finally
            {
                slot.Turn.Release();
                lock (gate)
                {
                    EnqueueIdleLocked(slot);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            ReleaseSlot(slot);
            Kick();
        }
    }

    private void RemoveTimersLocked(string actorType, string actorId) =>
        timers.Remove((actorType, actorId));
}
