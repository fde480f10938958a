using OrderDapr.Contracts;
using OrderDapr.Query.Rebuild;

namespace OrderDapr.Query.Tests.Fixtures;

// order-command's GET /streams over streams the test appends to, with hooks to hold or fail a page.
public sealed class FakeStreamSource(IEnumerable<OrderStreamEvents> initial) : IStreamSource
{
    private readonly List<OrderStreamEvents> streams = [.. initial];

    private readonly Dictionary<int, TaskCompletionSource> holds = [];
    private readonly Dictionary<int, TaskCompletionSource> reached = [];
    private readonly Dictionary<int, Exception> failures = [];

    public int PagesServed { get; private set; }

    // Page n (from 0) is served only once Release(n) is called.
    public void Hold(int page) => holds[page] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release(int page) => holds[page].SetResult();

    // Completes when page n is asked for.
    public Task Reached(int page) => ReachedSource(page).Task;

    public void Fail(int page, Exception failure) => failures[page] = failure;

    // As order-command's append: the stream holds the event from now on.
    public void Append(EventEnvelope envelope)
    {
        lock (streams)
        {
            var i = streams.FindIndex(s => s.OrderId == envelope.OrderId);
            streams[i] = streams[i] with { Events = [.. streams[i].Events, envelope] };
        }
    }

    public async Task<StreamPage> ReadPageAsync(string? after, int limit, CancellationToken cancellationToken)
    {
        var start = after is null ? 0 : int.Parse(after, System.Globalization.CultureInfo.InvariantCulture);
        var page = start / limit;
        ReachedSource(page).TrySetResult();
        if (holds.TryGetValue(page, out var hold))
        {
            await hold.Task.WaitAsync(cancellationToken);
        }

        if (failures.TryGetValue(page, out var failure))
        {
            throw failure;
        }

        lock (streams)
        {
            PagesServed++;
            var end = Math.Min(start + limit, streams.Count);
            return new StreamPage([.. streams.Skip(start).Take(limit)], end < streams.Count ? end.ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
        }
    }

    private TaskCompletionSource ReachedSource(int page)
    {
        lock (reached)
        {
            return reached.TryGetValue(page, out var source)
                ? source
                : reached[page] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
