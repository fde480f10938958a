using OrderDapr.Command.EventStore;
using OrderDapr.Contracts;

namespace OrderDapr.Command.StreamIndex;

// Pages through every order stream in index order: lanes as registered, then pages, then ids. For
// each run of ids it needs it bulk-reads their streams once; ids without a stream (recorded for a
// placement that then failed) and ids already in this page are skipped. An id recorded twice (an
// idempotent retry) can still come out on two pages: readers dedupe.
public sealed class StreamPageReader(IStreamIndexStore index, OrderStreamStore streams)
{
    // Null when the cursor names a lane this index does not have.
    public async Task<StreamPage?> ReadAsync(StreamCursor? after, int limit, CancellationToken ct)
    {
        var (lanes, _) = await index.LoadLanesAsync(ct);
        if (lanes.LaneIds.Count == 0)
        {
            return after is null ? new StreamPage([], null) : null;
        }

        var (laneId, page, offset) = after ?? new StreamCursor(lanes.LaneIds[0], 0, 0);
        var lane = IndexOf(lanes.LaneIds, laneId);
        if (lane < 0)
        {
            return null;
        }

        var ids = await LoadIdsAsync(laneId, page, ct);
        var found = new List<OrderStreamEvents>(limit);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (found.Count < limit)
        {
            if (offset >= ids.Count)
            {
                if (ids.Count >= StreamIndexPage.Capacity)
                {
                    page++;
                }
                else if (lane + 1 < lanes.LaneIds.Count)
                {
                    laneId = lanes.LaneIds[++lane];
                    page = 0;
                }
                else
                {
                    return new StreamPage(found, null);
                }

                offset = 0;
                ids = await LoadIdsAsync(laneId, page, ct);
                continue;
            }

            // No more ids than this answer still has room for, so the cursor can stop right after
            // the last one it returns.
            var run = ids.Skip(offset).Take(limit - found.Count).ToList();
            offset += run.Count;
            var fresh = run.Where(seen.Add).ToList();
            var stored = await streams.LoadManyAsync(fresh, ct);
            found.AddRange(fresh
                .Where(stored.ContainsKey)
                .Select(id => new OrderStreamEvents(id, stored[id].Events)));
        }

        var atEnd = offset >= ids.Count && ids.Count < StreamIndexPage.Capacity && lane == lanes.LaneIds.Count - 1;
        return new StreamPage(found, atEnd ? null : new StreamCursor(laneId, page, offset).Encode());
    }

    private async Task<IReadOnlyList<string>> LoadIdsAsync(string laneId, int page, CancellationToken ct) =>
        (await index.LoadPageAsync(laneId, page, ct))?.OrderIds ?? [];

    private static int IndexOf(IReadOnlyList<string> laneIds, string laneId)
    {
        for (var i = 0; i < laneIds.Count; i++)
        {
            if (laneIds[i] == laneId)
            {
                return i;
            }
        }

        return -1;
    }
}
