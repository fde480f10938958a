namespace DaprEmulator.Scheduler;

// How a trigger of a job ended, as the Scheduler hears it back from daprd
// (pkg/runtime/scheduler/internal/cluster/streamer.go handleJob).
internal enum TriggerResult
{
    Success,

    // The app answered X-DaprReminderCancel. The emulator ends the job, as daprd did before the
    // Scheduler; daprd now reports SUCCESS for it (streamer.go), so a periodic job goes on there.
    Canceled,

    // The callback reached a host of the app and failed: the failure policy decides.
    Failed,

    // No host of the app id hosts the actor type, or it went away during the call: not an
    // attempt, the job waits for a host (connections.go handleTriggerRequest, stream.go).
    Undeliverable,
}

// The Scheduler service as far as actor reminders use it: one job record per reminder, in memory
// and, given an IJobStore, written through to it (and read back at start), owned by the emulator
// host rather than by an ActorRuntime, so that jobs outlive the app, its sidecar and the runtime
// that registered them, as they outlive daprd in the real Scheduler.
// Due jobs come off a priority queue (a replaced or deleted job leaves a stale entry behind,
// skipped when it reaches the front), so no operation walks all jobs.
public sealed class ReminderScheduler : IDisposable
{
    // The failure policy the Scheduler gives a job registered without one (go-etcd-cron, asserted
    // by dapr tests/integration/suite/scheduler/api/failurepolicy.go): constant, 1 s, 3 retries.
    // daprd's HTTP API cannot set another one (see ScheduleRequest).
    internal static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);
    internal const int MaxRetries = 3;

    private readonly Lock gate = new();
    private readonly Dictionary<ReminderKey, ReminderJob> jobs = [];
    private readonly PriorityQueue<ReminderJob, DateTimeOffset> triggers = new();
    private readonly Dictionary<(string AppId, string ActorType), int> connections = [];
    private readonly Dictionary<(string AppId, string ActorType), List<ReminderJob>> staged = [];
    private readonly IJobStore? store;
    private long recordWrites;

    public ReminderScheduler()
    {
    }

    internal ReminderScheduler(IJobStore? store)
    {
        this.store = store;
        foreach (var job in store?.Load() ?? [])
        {
            jobs[job.Key] = job;
            triggers.Enqueue(job, job.NextAttempt);
        }
    }

    // Test hook: how many job records were written or deleted so far.
    internal long RecordWrites
    {
        get
        {
            lock (gate)
            {
                return recordWrites;
            }
        }
    }

    // Adds the job, replacing one of the same key unless overwrite is false: then false when
    // there is one (go-etcd-cron Add and AddIfNotExists).
    internal bool Schedule(ReminderJob job, bool overwrite)
    {
        lock (gate)
        {
            if (!overwrite && jobs.ContainsKey(job.Key))
            {
                return false;
            }

            jobs[job.Key] = job;
            triggers.Enqueue(job, job.NextAttempt);
            recordWrites++;
            store?.Save(job);
            return true;
        }
    }

    internal ReminderJob? Get(ReminderKey key)
    {
        lock (gate)
        {
            return jobs.GetValueOrDefault(key);
        }
    }

    internal void Delete(ReminderKey key)
    {
        lock (gate)
        {
            if (jobs.Remove(key))
            {
                recordWrites++;
                store?.Remove(key);
            }
        }
    }

    // False once the job was deleted or replaced.
    internal bool IsCurrent(ReminderJob job)
    {
        lock (gate)
        {
            return IsCurrentLocked(job);
        }
    }

    // A host of the app id that hosts the actor type registered (daprd opened its WatchJobs
    // stream): the jobs that waited for one are due again.
    internal void Connect(string appId, string actorType)
    {
        lock (gate)
        {
            var count = connections.GetValueOrDefault((appId, actorType)) + 1;
            connections[(appId, actorType)] = count;
            if (count == 1 && staged.Remove((appId, actorType), out var waiting))
            {
                foreach (var job in waiting.Where(IsCurrentLocked))
                {
                    triggers.Enqueue(job, job.NextAttempt);
                }
            }
        }
    }

    internal void Disconnect(string appId, string actorType)
    {
        lock (gate)
        {
            var count = connections.GetValueOrDefault((appId, actorType)) - 1;
            if (count > 0)
            {
                connections[(appId, actorType)] = count;
            }
            else
            {
                connections.Remove((appId, actorType));
            }
        }
    }

    // Takes the jobs due at `now` whose app id has a host of their type into `due`, stages those
    // without one, and returns when the next job is due. Each job taken must be completed.
    // examined counts the queue entries looked at.
    internal DateTimeOffset? TakeDue(DateTimeOffset now, List<ReminderJob> due, ref int examined)
    {
        lock (gate)
        {
            while (triggers.TryPeek(out var job, out var at))
            {
                examined++;
                if (IsCurrentLocked(job) && at > now)
                {
                    return at;
                }

                triggers.Dequeue();
                if (!IsCurrentLocked(job))
                {
                    continue;
                }

                if (connections.ContainsKey((job.Key.AppId, job.Key.ActorType)))
                {
                    due.Add(job);
                }
                else
                {
                    var key = (job.Key.AppId, job.Key.ActorType);
                    if (!staged.TryGetValue(key, out var waiting))
                    {
                        staged[key] = waiting = [];
                    }

                    waiting.Add(job);
                }
            }

            return null;
        }
    }

    // Applies the result of a trigger taken by TakeDue, as go-etcd-cron's counter does
    // (internal/counter TriggerSuccess, TriggerFailed, policyTryAgain): a failed attempt is
    // retried RetryInterval after the time it was due, MaxRetries times; then that tick is
    // dropped and counts as one of the job's repetitions, and the job goes on with its next tick
    // from the dropped tick's due time, or ends. Returns true when a failed tick will be retried.
    internal bool Complete(ReminderJob job, TriggerResult result)
    {
        lock (gate)
        {
            if (!IsCurrentLocked(job))
            {
                return false;
            }

            switch (result)
            {
                case TriggerResult.Undeliverable:
                    triggers.Enqueue(job, job.NextAttempt);
                    return false;
                case TriggerResult.Failed when job.Failures < MaxRetries:
                    job.Failures++;
                    job.NextAttempt += RetryInterval;
                    triggers.Enqueue(job, job.NextAttempt);
                    recordWrites++;
                    store?.Save(job);
                    return true;
            }

            if (job.NextTick(result == TriggerResult.Canceled) is { } next)
            {
                job.NextDue = next.Due;
                job.RepeatsLeft = next.RepeatsLeft;
                job.NextAttempt = next.Due;
                job.Failures = 0;
                triggers.Enqueue(job, next.Due);
                store?.Save(job);
            }
            else
            {
                jobs.Remove(job.Key);
                store?.Remove(job.Key);
            }

            recordWrites++;
            return false;
        }
    }

    public void Dispose() => store?.Dispose();

    private bool IsCurrentLocked(ReminderJob job) =>
        jobs.TryGetValue(job.Key, out var current) && current == job;
}
