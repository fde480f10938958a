using System.Collections.Concurrent;
using System.Text;
using DaprEmulator.PubSub;
using DaprEmulator.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DaprEmulator.Tests.PubSub;

// daprd's default bulk subscriber (pkg/runtime/pubsub/default_bulksub.go) on its own: each component
// handler call waits for its batch, which is flushed on maxMessagesCount or maxAwaitDurationMs after
// its first message. The await timer runs on a fake clock.
public sealed class BulkCollectorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_batch_is_flushed_when_max_messages_count_is_reached_without_waiting()
    {
        await using var bulk = new Bulk(maxMessagesCount: 3);

        var calls = Enumerable.Range(0, 3).Select(i => bulk.Collector.HandleAsync(Message(i), Ct)).ToList();

        await Task.WhenAll(calls).WaitAsync(Poll.DefaultTimeout, Ct);
        Assert.Equal([3], bulk.BatchSizes);
    }

    [Fact]
    public async Task A_partial_batch_is_flushed_max_await_duration_after_its_first_message()
    {
        await using var bulk = new Bulk(maxMessagesCount: 10, maxAwaitDurationMs: 1000);
        var first = bulk.Collector.HandleAsync(Message(0), Ct);
        await Poll.UntilAsync(() => bulk.Collector.Batched == 1, "the first message is collected");
        bulk.Time.Advance(TimeSpan.FromMilliseconds(600));
        var second = bulk.Collector.HandleAsync(Message(1), Ct);
        await Poll.UntilAsync(() => bulk.Collector.Batched == 2, "the second message is collected");

        // Nothing but the timer of the first message can flush this batch.
        Assert.Empty(bulk.BatchSizes);
        bulk.Time.Advance(TimeSpan.FromMilliseconds(400));

        await Task.WhenAll(first, second).WaitAsync(Poll.DefaultTimeout, Ct);
        Assert.Equal([2], bulk.BatchSizes);
    }

    [Fact]
    public async Task Each_message_gets_the_outcome_of_its_own_entry()
    {
        await using var bulk = new Bulk(maxMessagesCount: 2, fail: entry => Encoding.UTF8.GetString(entry.Event) == "1" ? "RETRY required" : null);

        var ok = bulk.Collector.HandleAsync(Message(0), Ct);
        var failed = bulk.Collector.HandleAsync(Message(1), Ct);

        await ok.WaitAsync(Poll.DefaultTimeout, Ct);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => failed.WaitAsync(Poll.DefaultTimeout, Ct));
        Assert.Equal("RETRY required", error.Message);
    }

    [Fact]
    public async Task Stopping_cancels_the_messages_waiting_in_a_batch()
    {
        var bulk = new Bulk(maxMessagesCount: 10);
        var waiting = bulk.Collector.HandleAsync(Message(0), Ct);
        await Poll.UntilAsync(() => bulk.Collector.Batched == 1, "the message is collected");

        await bulk.DisposeAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Poll.DefaultTimeout, Ct));
        Assert.Empty(bulk.BatchSizes);
    }

    private static PubSubMessage Message(int n) => new("orders", Encoding.UTF8.GetBytes(n.ToString(System.Globalization.CultureInfo.InvariantCulture)), new Dictionary<string, string>(), null);

    private sealed class Bulk : IAsyncDisposable
    {
        private readonly ConcurrentQueue<int> _batchSizes = new();

        public Bulk(int maxMessagesCount, int maxAwaitDurationMs = 1000, Func<BulkEntry, string?>? fail = null)
        {
            Collector = new BulkCollector(new BulkSubscribeSpec(maxMessagesCount, maxAwaitDurationMs), (entries, _) =>
            {
                _batchSizes.Enqueue(entries.Count);
                IReadOnlyDictionary<string, string> errors = entries
                    .Select(e => (e.EntryId, Error: fail?.Invoke(e)))
                    .Where(e => e.Error is not null)
                    .ToDictionary(e => e.EntryId, e => e.Error!);
                return Task.FromResult(errors);
            }, Time, NullLogger.Instance);
        }

        public FakeTimeProvider Time { get; } = new();

        public BulkCollector Collector { get; }

        public IReadOnlyList<int> BatchSizes => [.. _batchSizes];

        public ValueTask DisposeAsync() => Collector.DisposeAsync();
    }
}
