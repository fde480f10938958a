namespace DaprEmulator.Actors;

public sealed partial class ActorRuntime
{
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

    private void RemoveTimersLocked(string actorType, string actorId)
    {
        foreach (var key in timers.Keys.Where(k => k.Type == actorType && k.Id == actorId).ToList())
        {
            timers.Remove(key);
        }
    }
}
