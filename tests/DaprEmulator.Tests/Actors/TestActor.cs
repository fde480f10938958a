using System.Collections.Concurrent;
using System.Text;
using Dapr.Actors;
using Dapr.Actors.Runtime;

namespace DaprEmulator.Tests.Actors;

public interface ITestActor : IActor
{
    Task<string> WhereAmI();

    Task<string> Echo(string text);

    Task Busy();

    Task<bool> Rendezvous(string group, int expected);

    Task Fail(string message);

    Task SetValue(string value);

    Task<string> GetValue();

    Task StartReminder(string name, TimeSpan dueTime, TimeSpan period);

    Task StartRepeatingReminder(string name, TimeSpan dueTime, TimeSpan period, int repetitions);

    Task StartTimer(string name, TimeSpan dueTime, TimeSpan period);
}

// What the actors of one app did, for the tests to look at: one per app, shared by its actors.
public sealed class ActorRecorder(string hostName)
{
    private readonly ConcurrentQueue<string> events = new();
    private readonly ConcurrentDictionary<string, int> running = new();
    private readonly ConcurrentDictionary<string, int> maxRunning = new();
    private readonly ConcurrentDictionary<string, (int Count, TaskCompletionSource<bool> All)> groups = new();
    private int failReminders;

    public string HostName { get; } = hostName;

    public IReadOnlyList<string> Events => [.. events];

    public int Count(string @event) => events.Count(e => e == @event);

    public void Record(string @event) => events.Enqueue(@event);

    public void FailNextReminders(int count) => Volatile.Write(ref failReminders, count);

    public bool ShouldFailReminder() => Interlocked.Decrement(ref failReminders) >= 0;

    public int MaxConcurrency(string actorId) => maxRunning.GetValueOrDefault(actorId);

    public void Enter(string actorId)
    {
        var now = running.AddOrUpdate(actorId, 1, (_, n) => n + 1);
        maxRunning.AddOrUpdate(actorId, now, (_, max) => Math.Max(max, now));
    }

    public void Exit(string actorId) => running.AddOrUpdate(actorId, 0, (_, n) => n - 1);

    // Completes with true once `expected` actors have arrived in the group, false if they do not
    // all arrive within 10 s (they cannot when their calls are serialized).
    public async Task<bool> Arrive(string group, int expected)
    {
        var entry = groups.AddOrUpdate(
            group,
            _ => (1, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)),
            (_, e) => (e.Count + 1, e.All));
        if (entry.Count >= expected)
        {
            entry.All.TrySetResult(true);
        }

        var arrived = await Task.WhenAny(entry.All.Task, Task.Delay(TimeSpan.FromSeconds(10)));
        return arrived == entry.All.Task;
    }
}

[Actor(TypeName = TypeName)]
public sealed class TestActor(ActorHost host, ActorRecorder recorder) : Actor(host), ITestActor, IRemindable
{
    public const string TypeName = "TestActor";

    public Task<string> WhereAmI() => Task.FromResult(recorder.HostName);

    public Task<string> Echo(string text) => Task.FromResult($"{recorder.HostName}:{Id.GetId()}:{text}");

    public async Task Busy()
    {
        recorder.Enter(Id.GetId());
        try
        {
            // The actor's own work (not a due time): long enough for queued calls to pile up.
            await Task.Delay(10);
        }
        finally
        {
            recorder.Exit(Id.GetId());
        }
    }

    public Task<bool> Rendezvous(string group, int expected) => recorder.Arrive(group, expected);

    public Task Fail(string message) => throw new InvalidOperationException(message);

    public Task SetValue(string value) => StateManager.SetStateAsync("value", value);

    public async Task<string> GetValue() => (await StateManager.TryGetStateAsync<string>("value")).Value ?? "";

    public Task StartReminder(string name, TimeSpan dueTime, TimeSpan period) =>
        RegisterReminderAsync(name, Encoding.UTF8.GetBytes(name), dueTime, period);

    public Task StartRepeatingReminder(string name, TimeSpan dueTime, TimeSpan period, int repetitions) =>
        RegisterReminderAsync(name, Encoding.UTF8.GetBytes(name), dueTime, period, repetitions);

    public Task StartTimer(string name, TimeSpan dueTime, TimeSpan period) =>
        RegisterTimerAsync(name, nameof(OnTimer), Encoding.UTF8.GetBytes(name), dueTime, period);

    public Task OnTimer(byte[] data)
    {
        recorder.Record($"timer:{Id.GetId()}:{Encoding.UTF8.GetString(data)}");
        return Task.CompletedTask;
    }

    public Task ReceiveReminderAsync(string reminderName, byte[] state, TimeSpan dueTime, TimeSpan period)
    {
        if (recorder.ShouldFailReminder())
        {
            recorder.Record($"reminder-failed:{Id.GetId()}:{reminderName}");
            throw new InvalidOperationException("the reminder callback failed");
        }

        recorder.Record($"reminder:{Id.GetId()}:{reminderName}:{Encoding.UTF8.GetString(state)}");
        return Task.CompletedTask;
    }

    protected override Task OnActivateAsync()
    {
        recorder.Record($"activate:{Id.GetId()}");
        return Task.CompletedTask;
    }

    protected override Task OnDeactivateAsync()
    {
        recorder.Record($"deactivate:{Id.GetId()}");
        return Task.CompletedTask;
    }
}
