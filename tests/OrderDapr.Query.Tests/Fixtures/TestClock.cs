using Microsoft.Extensions.Time.Testing;

namespace OrderDapr.Query.Tests.Fixtures;

// The service's clock in tests: a FakeTimeProvider that also tells when the service arms a timer
// (Task.Delay, Task.WaitAsync, PeriodicTimer all arm theirs through the TimeProvider). Moving the
// time before the timer a test means to fire is armed would move its start along with it, so a
// test waits for ArmedAsync, then advances.
public sealed class TestClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly Lock gate = new();
    private readonly List<TimeSpan> armed = [];
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ObservedTimer(this, base.CreateTimer(callback, state, dueTime, period));
        Armed(dueTime);
        return timer;
    }

    // Waits (bounded) until `count` timers were armed to fire `dueTime` after they were armed.
    public async Task ArmedAsync(TimeSpan dueTime, int count = 1)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            Task next;
            lock (gate)
            {
                if (armed.Count(d => d == dueTime) >= count)
                {
                    return;
                }

                next = changed.Task;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{count} timer(s) of {dueTime} were not armed within {Bound.TotalSeconds:0} s");
            await next.WaitAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private void Armed(TimeSpan dueTime)
    {
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        TaskCompletionSource signal;
        lock (gate)
        {
            armed.Add(dueTime);
            signal = changed;
            changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        signal.TrySetResult();
    }

    // PeriodicTimer creates its timer disarmed, then arms it with Change.
    private sealed class ObservedTimer(TestClock clock, ITimer timer) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = timer.Change(dueTime, period);
            clock.Armed(dueTime);
            return changed;
        }

        public void Dispose() => timer.Dispose();

        public ValueTask DisposeAsync() => timer.DisposeAsync();
    }
}
