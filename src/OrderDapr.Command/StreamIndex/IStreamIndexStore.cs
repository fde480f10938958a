namespace OrderDapr.Command.StreamIndex;

// Reads and writes of the stream index documents (see StreamIndexDocuments.cs).
public interface IStreamIndexStore
{
    Task<(StreamIndexLanes Lanes, string? ETag)> LoadLanesAsync(CancellationToken ct);

    // Saves the lanes document if it has not changed since it was read with etag (null: it did not
    // exist then). False when another writer changed or created it meanwhile.
    Task<bool> TrySaveLanesAsync(StreamIndexLanes lanes, string? etag, CancellationToken ct);

    // Null when the lane has no such page (yet).
    Task<StreamIndexPage?> LoadPageAsync(string laneId, int page, CancellationToken ct);

    // The whole page, last write wins: a lane has one writer.
    Task SavePageAsync(string laneId, int page, StreamIndexPage ids, CancellationToken ct);
}
