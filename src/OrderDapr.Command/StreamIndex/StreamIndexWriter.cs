namespace OrderDapr.Command.StreamIndex;

// This instance's lane of the stream index, written by group commit: an order id waits until a
// save of the lane's current page holds it. One save runs at a time; it takes every id waiting
// when it starts (as many as the page has room for), so concurrent placements share one save and
// a burst costs one save per round trip, not one per order. A failed save fails every id it held:
// their placements fail before their streams are written.
public sealed class StreamIndexWriter(IStreamIndexStore store, ILogger<StreamIndexWriter> logger)
{
    // Registration conflicts only with other instances registering at the same moment, and every
    // round lets one of them through.
    private const int MaxRegistrationAttempts = 20;

    private readonly Lock gate = new();
    private readonly List<Waiter> waiting = [];
    private bool flushing;

    // Touched only by the one running flush.
    private bool registered;
    private int page;
    private IReadOnlyList<string> pageIds = [];

    public string LaneId { get; } = Guid.NewGuid().ToString("N");

    // Ids recorded and not yet taken by a save.
    internal int Waiting
    {
        get
        {
            lock (gate)
            {
                return waiting.Count;
            }
        }
    }

    // Completes once a save holding orderId has succeeded; throws if that save failed.
    public Task RecordAsync(string orderId)
    {
        var waiter = new Waiter(orderId);
        bool start;
        lock (gate)
        {
            waiting.Add(waiter);
            start = !flushing;
            flushing = true;
        }

        if (start)
        {
            _ = Task.Run(FlushAsync);
        }

        return waiter.Saved.Task;
    }

    private async Task FlushAsync()
    {
        while (true)
        {
            List<Waiter> batch;
            lock (gate)
            {
                if (waiting.Count == 0)
                {
                    flushing = false;
                    return;
                }

                var take = Math.Min(waiting.Count, StreamIndexPage.Capacity - pageIds.Count);
                batch = waiting.GetRange(0, take);
                waiting.RemoveRange(0, take);
            }

            try
            {
                await RegisterLaneAsync();
                IReadOnlyList<string> ids = [.. pageIds, .. batch.Select(w => w.OrderId)];
                await store.SavePageAsync(LaneId, page, new StreamIndexPage(ids), CancellationToken.None);
                (page, pageIds) = ids.Count >= StreamIndexPage.Capacity ? (page + 1, []) : (page, ids);
                foreach (var waiter in batch)
                {
                    waiter.Saved.TrySetResult();
                }
            }
            catch (Exception ex)
            {
                // Every waiter must hear back, whatever failed: this loop is the only one that answers them.
                logger.LogWarning(ex, "Saving page {Page} of stream index lane {LaneId} with {Count} new order ids failed", page, LaneId, batch.Count);
                foreach (var waiter in batch)
                {
                    waiter.Saved.TrySetException(new InvalidOperationException($"Recording order {waiter.OrderId} in the stream index failed.", ex));
                }
            }
        }
    }

    private async Task RegisterLaneAsync()
    {
        for (var attempt = 1; !registered; attempt++)
        {
            var (lanes, etag) = await store.LoadLanesAsync(CancellationToken.None);
            registered = lanes.LaneIds.Contains(LaneId)
                || await store.TrySaveLanesAsync(new StreamIndexLanes([.. lanes.LaneIds, LaneId]), etag, CancellationToken.None);
            if (!registered && attempt == MaxRegistrationAttempts)
            {
                throw new InvalidOperationException($"Registering stream index lane {LaneId} lost to other writers {attempt} times in a row.");
            }
        }
    }

    private sealed record Waiter(string OrderId)
    {
        public TaskCompletionSource Saved { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
