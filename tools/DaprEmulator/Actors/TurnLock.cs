namespace DaprEmulator.Actors;

// The turn of one actor: a single holder at a time, waiters served in arrival order (daprd queues
// the calls of an actor the same way; SemaphoreSlim does not promise FIFO).
internal sealed class TurnLock
{
    private readonly Lock gate = new();
    private readonly LinkedList<TaskCompletionSource> waiters = new();
    private bool held;

    public bool IsBusy
    {
        get
        {
            lock (gate)
            {
                return held;
            }
        }
    }

    public bool TryEnter()
    {
        lock (gate)
        {
            if (held)
            {
                return false;
            }

            held = true;
            return true;
        }
    }

    public Task EnterAsync(CancellationToken ct)
    {
        LinkedListNode<TaskCompletionSource> node;
        lock (gate)
        {
            if (!held)
            {
                held = true;
                return Task.CompletedTask;
            }

            node = waiters.AddLast(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        if (ct.CanBeCanceled)
        {
            var registration = ct.Register(() =>
            {
                lock (gate)
                {
                    if (node.List is null)
                    {
                        return;
                    }

                    waiters.Remove(node);
                }

                node.Value.TrySetCanceled(ct);
            });
            _ = node.Value.Task.ContinueWith(
                _ => registration.Dispose(),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        return node.Value.Task;
    }

    public void Release()
    {
        TaskCompletionSource? next;
        lock (gate)
        {
            if (waiters.First is { } first)
            {
                // The turn passes straight to the next waiter: `held` stays true.
                waiters.RemoveFirst();
                next = first.Value;
            }
            else
            {
                held = false;
                next = null;
            }
        }

        next?.SetResult();
    }
}
