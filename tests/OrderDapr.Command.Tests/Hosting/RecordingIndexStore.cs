using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrderDapr.Command.StreamIndex;

namespace OrderDapr.Command.Tests.Hosting;

// The app's index store, wrapped: counts what each save writes, and can hold or fail page saves.
public sealed class RecordingIndexStore
{
    private readonly Lock gate = new();
    private readonly List<(int Page, int NewIds)> pageSaves = [];
    private readonly TaskCompletionSource firstSaveReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int pageSavesStarted;
    private int laneSaves;

    public bool HoldFirstPageSave { get; init; }

    public bool FailPageSaves
    {
        get => failPageSaves;
        set => failPageSaves = value;
    }

    private volatile bool failPageSaves;

    public IReadOnlyList<(int Page, int NewIds)> PageSaves
    {
        get
        {
            lock (gate)
            {
                return [.. pageSaves];
            }
        }
    }

    public int PageSavesStarted => Volatile.Read(ref pageSavesStarted);

    public int LaneSaves => Volatile.Read(ref laneSaves);

    public void ReleaseFirstPageSave() => firstSaveReleased.TrySetResult();

    public void Install(IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton<IStreamIndexStore>(sp => new Wrapper(this, ActivatorUtilities.CreateInstance<DaprStreamIndexStore>(sp))));

    private sealed class Wrapper(RecordingIndexStore owner, IStreamIndexStore inner) : IStreamIndexStore
    {
        private readonly Dictionary<int, int> savedCounts = [];

        public Task<(StreamIndexLanes Lanes, string? ETag)> LoadLanesAsync(CancellationToken ct) => inner.LoadLanesAsync(ct);

        public async Task<bool> TrySaveLanesAsync(StreamIndexLanes lanes, string? etag, CancellationToken ct)
        {
            Interlocked.Increment(ref owner.laneSaves);
            return await inner.TrySaveLanesAsync(lanes, etag, ct);
        }

        public Task<StreamIndexPage?> LoadPageAsync(string laneId, int page, CancellationToken ct) => inner.LoadPageAsync(laneId, page, ct);

        public async Task SavePageAsync(string laneId, int page, StreamIndexPage ids, CancellationToken ct)
        {
            if (Interlocked.Increment(ref owner.pageSavesStarted) == 1 && owner.HoldFirstPageSave)
            {
                await owner.firstSaveReleased.Task;
            }

            if (owner.FailPageSaves)
            {
                throw new InvalidOperationException("the index store is down (test)");
            }

            await inner.SavePageAsync(laneId, page, ids, ct);

            // One writer per lane: the page only grows, so what it gained is what this save added.
            lock (owner.gate)
            {
                var before = savedCounts.GetValueOrDefault(page);
                savedCounts[page] = ids.OrderIds.Count;
                owner.pageSaves.Add((page, ids.OrderIds.Count - before));
            }
        }
    }
}
