using Dapr.Client;
using DaprEmulator.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using OrderDapr.Command.EventStore;
using OrderDapr.Command.StreamIndex;
using OrderDapr.Command.Tests.Hosting;
using OrderDapr.Testing;

namespace OrderDapr.Command.Tests;

// The writer of one lane of the stream index, against an in-memory store that can hold and fail saves.
public sealed class StreamIndexWriterTests
{
    [Fact]
    public async Task Ids_waiting_together_fill_the_current_page_then_the_next_one_save_per_page()
    {
        var store = new MemoryIndexStore();
        var writer = new StreamIndexWriter(store, NullLogger<StreamIndexWriter>.Instance);
        store.HoldSaves();
        var first = writer.RecordAsync("first");
        await Poll.UntilAsync(() => store.SavesStarted == 1, "the first save to start");
        var ids = Enumerable.Range(0, 2 * StreamIndexPage.Capacity + 10).Select(i => $"id-{i}").ToList();
        var waiting = ids.Select(writer.RecordAsync).ToList();

        store.ReleaseSaves();
        await Task.WhenAll(waiting.Prepend(first));

        // One save for the first id, then one per page for the ids that waited meanwhile.
        Assert.Equal(
            new[] { (0, 1), (0, StreamIndexPage.Capacity), (1, StreamIndexPage.Capacity), (2, 11) },
            store.Saves.Select(s => (s.Page, s.Ids.Count)));
        Assert.Equal(["first", .. ids], store.Pages(writer.LaneId).SelectMany(p => p));
        Assert.Equal([writer.LaneId], store.Lanes.LaneIds);
    }

    [Fact]
    public async Task A_failed_save_fails_its_ids_and_keeps_none_of_them()
    {
        var store = new MemoryIndexStore();
        var writer = new StreamIndexWriter(store, NullLogger<StreamIndexWriter>.Instance);
        await writer.RecordAsync("kept");

        store.FailNextSave = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.RecordAsync("failed"));
        await writer.RecordAsync("later");

        Assert.Equal(["kept", "later"], store.Pages(writer.LaneId).Single());
    }

    [Fact]
    public async Task A_lane_registration_that_lost_to_another_writer_is_retried_against_the_sidecar()
    {
        await using var emulator = await DaprEmulatorHost.StartAsync(new EmulatorOptions { ResourcesPaths = [Repository.Components] });
        var sidecar = await emulator.StartSidecarAsync(new SidecarOptions { AppId = "order-command" });
        using var dapr = new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcEndpoint).UseHttpEndpoint(sidecar.HttpEndpoint).Build();
        var shared = new DaprStreamIndexStore(dapr);
        StreamIndexWriter Writer(IStreamIndexStore store) => new(store, NullLogger<StreamIndexWriter>.Instance);

        // Between a writer's read of the lanes and its save, another writer registers: first while
        // the document does not exist yet (first-write insert), then while it does (ETag).
        var ids = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid().ToString()).ToList();
        var first = Writer(shared);
        var insertLost = new InterleavingStore(shared, () => first.RecordAsync(ids[0]));
        var second = Writer(insertLost);
        await second.RecordAsync(ids[1]);
        var third = Writer(shared);
        var updateLost = new InterleavingStore(shared, () => third.RecordAsync(ids[2]));
        var fourth = Writer(updateLost);
        await fourth.RecordAsync(ids[3]);

        var (lanes, _) = await shared.LoadLanesAsync(default);
        Assert.Equal([first.LaneId, second.LaneId, third.LaneId, fourth.LaneId], lanes.LaneIds);
        Assert.Equal((2, 2), (insertLost.LaneSaveAttempts, updateLost.LaneSaveAttempts));

        // A reader walks the lanes in that order, one stream per page here.
        var streams = new OrderStreamStore(dapr, NullLogger<OrderStreamStore>.Instance);
        foreach (var id in ids)
        {
            await StoredStreams.CreateAsync(streams, id);
        }

        var reader = new StreamPageReader(shared, streams);
        var read = new List<string>();
        StreamCursor? cursor = null;
        do
        {
            var page = await reader.ReadAsync(cursor, 1, default);
            read.AddRange(page!.Streams.Select(s => s.OrderId));
            cursor = page.NextCursor is { } next && StreamCursor.TryParse(next, out var parsed) ? parsed : null;
        }
        while (cursor is not null);

        Assert.Equal(ids, read);
    }

    // Runs `meanwhile` once, between the first read of the lanes and the first save of them.
    private sealed class InterleavingStore(IStreamIndexStore inner, Func<Task> meanwhile) : IStreamIndexStore
    {
        private int attempts;

        public int LaneSaveAttempts => attempts;

        public Task<(StreamIndexLanes Lanes, string? ETag)> LoadLanesAsync(CancellationToken ct) => inner.LoadLanesAsync(ct);

        public async Task<bool> TrySaveLanesAsync(StreamIndexLanes lanes, string? etag, CancellationToken ct)
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                await meanwhile();
            }

            return await inner.TrySaveLanesAsync(lanes, etag, ct);
        }

        public Task<StreamIndexPage?> LoadPageAsync(string laneId, int page, CancellationToken ct) => inner.LoadPageAsync(laneId, page, ct);

        public Task SavePageAsync(string laneId, int page, StreamIndexPage ids, CancellationToken ct) => inner.SavePageAsync(laneId, page, ids, ct);
    }

    private sealed class MemoryIndexStore : IStreamIndexStore
    {
        private readonly Lock gate = new();
        private readonly Dictionary<(string Lane, int Page), StreamIndexPage> pages = [];
        private readonly List<(int Page, IReadOnlyList<string> Ids)> saves = [];
        private TaskCompletionSource released = CompletedSource();
        private int savesStarted;

        public StreamIndexLanes Lanes { get; private set; } = StreamIndexLanes.None;

        public bool FailNextSave { get; set; }

        public int SavesStarted => Volatile.Read(ref savesStarted);

        public IReadOnlyList<(int Page, IReadOnlyList<string> Ids)> Saves
        {
            get
            {
                lock (gate)
                {
                    return [.. saves];
                }
            }
        }

        public void HoldSaves() => released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void ReleaseSaves() => released.TrySetResult();

        public IEnumerable<IReadOnlyList<string>> Pages(string laneId)
        {
            lock (gate)
            {
                return [.. pages.Where(p => p.Key.Lane == laneId).OrderBy(p => p.Key.Page).Select(p => p.Value.OrderIds)];
            }
        }

        public Task<(StreamIndexLanes Lanes, string? ETag)> LoadLanesAsync(CancellationToken ct) => Task.FromResult<(StreamIndexLanes, string?)>((Lanes, null));

        public Task<bool> TrySaveLanesAsync(StreamIndexLanes lanes, string? etag, CancellationToken ct)
        {
            Lanes = lanes;
            return Task.FromResult(true);
        }

        public Task<StreamIndexPage?> LoadPageAsync(string laneId, int page, CancellationToken ct)
        {
            lock (gate)
            {
                return Task.FromResult(pages.GetValueOrDefault((laneId, page)));
            }
        }

        public async Task SavePageAsync(string laneId, int page, StreamIndexPage ids, CancellationToken ct)
        {
            Interlocked.Increment(ref savesStarted);
            await released.Task;
            if (FailNextSave)
            {
                FailNextSave = false;
                throw new InvalidOperationException("the index store is down (test)");
            }

            lock (gate)
            {
                pages[(laneId, page)] = ids;
                saves.Add((page, ids.OrderIds));
            }
        }

        private static TaskCompletionSource CompletedSource()
        {
            var source = new TaskCompletionSource();
            source.SetResult();
            return source;
        }
    }
}
