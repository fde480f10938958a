using Dapr;
using Dapr.Client;
using OrderDapr.Contracts;

namespace OrderDapr.Command.StreamIndex;

// The stream index documents in the `eventstore` component, through the Dapr state API.
public sealed class DaprStreamIndexStore(DaprClient dapr) : IStreamIndexStore
{
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite, Consistency = ConsistencyMode.Strong };

    public async Task<(StreamIndexLanes Lanes, string? ETag)> LoadLanesAsync(CancellationToken ct)
    {
        var (lanes, etag) = await dapr.GetStateAndETagAsync<StreamIndexLanes?>(
            Messaging.EventStore, StreamIndexLanes.Key, ConsistencyMode.Strong, cancellationToken: ct);
        // A missing key comes back as no value and an empty ETag.
        return (lanes ?? StreamIndexLanes.None, string.IsNullOrEmpty(etag) ? null : etag);
    }

    public async Task<bool> TrySaveLanesAsync(StreamIndexLanes lanes, string? etag, CancellationToken ct)
    {
        if (etag is not null)
        {
            // An ETag mismatch is gRPC Aborted, which the SDK answers as false.
            return await dapr.TrySaveStateAsync(Messaging.EventStore, StreamIndexLanes.Key, lanes, etag, FirstWrite, cancellationToken: ct);
        }

        try
        {
            // First-write without an ETag inserts only.
            await dapr.SaveStateAsync(Messaging.EventStore, StreamIndexLanes.Key, lanes, FirstWrite, cancellationToken: ct);
            return true;
        }
        catch (DaprException)
        {
            // state.postgresql reports an insert that found the row already there as "no item was
            // updated", not as an ETag error, so daprd answers it Internal like any store failure: look.
            var (_, current) = await LoadLanesAsync(ct);
            if (current is not null)
            {
                return false;
            }

            throw;
        }
    }

    public Task<StreamIndexPage?> LoadPageAsync(string laneId, int page, CancellationToken ct) =>
        dapr.GetStateAsync<StreamIndexPage?>(Messaging.EventStore, StreamIndexPage.KeyOf(laneId, page), ConsistencyMode.Strong, cancellationToken: ct);

    public Task SavePageAsync(string laneId, int page, StreamIndexPage ids, CancellationToken ct) =>
        dapr.SaveStateAsync(Messaging.EventStore, StreamIndexPage.KeyOf(laneId, page), ids, cancellationToken: ct);
}
