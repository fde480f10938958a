using Microsoft.Extensions.Options;

namespace OrderDapr.Query.ReadModel;

public sealed class ReadCacheOptions
{
    public const string Section = "ReadCache";

    public int MaxEntries { get; set; } = 10_000;

    // Publishing a change is best effort: a change the feed lost would leave its cached view
    // behind the store forever. After MaxAge a cached view is read from the store again.
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromSeconds(10);
}

// The newest order views this replica has seen, for `order(id)`: fed by the change feed (every
// committed view, whichever replica projected it) and by store reads, bounded (least recently
// used views leave first). A view replaces a cached one only when its version is higher, so a
// late delivery or a slow store read never puts an older view back. The views of one read-model
// generation only: a newer generation empties it.
//
// It is also where the change feed's news is decided: Announce says whether a delivered view is
// one the subscribers have not been told about (newer than the cached one, or the cached one
// came from a store read).
public sealed class OrderViewCache(IOptions<ReadCacheOptions> options, TimeProvider time)
{
    private readonly int maxEntries = Math.Max(1, options.Value.MaxEntries);
    private readonly TimeSpan maxAge = options.Value.MaxAge;
    private readonly Lock gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> entries = new(StringComparer.Ordinal);

    // Most recently used first.
    private readonly LinkedList<Entry> recency = new();
    private int generation;
    private long hits;
    private long misses;

    private sealed class Entry(OrderView view, long storedAt, bool announced)
    {
        public OrderView View { get; set; } = view;

        public long StoredAt { get; set; } = storedAt;

        // The change feed delivered this version: delivering it again is no news.
        public bool Announced { get; set; } = announced;
    }

    public int Count
    {
        get
        {
            lock (gate)
            {
                return entries.Count;
            }
        }
    }

    public long Hits => Interlocked.Read(ref hits);

    public long Misses => Interlocked.Read(ref misses);

    // A cached view of this generation at least `minVersion` recent and younger than MaxAge.
    public bool TryGet(int generation, string orderId, int minVersion, out OrderView view)
    {
        lock (gate)
        {
            MoveTo(generation);
            if (generation == this.generation && entries.TryGetValue(orderId, out var node)
                && node.Value.View.Version >= minVersion && time.GetElapsedTime(node.Value.StoredAt) < maxAge)
            {
                Touch(node);
                view = node.Value.View;
                Interlocked.Increment(ref hits);
                return true;
            }
        }

        view = null!;
        Interlocked.Increment(ref misses);
        return false;
    }

    // A view read from the store.
    public void Remember(int generation, OrderView view) => Offer(generation, view, fromFeed: false);

    // A view the change feed delivered: true when it is news (see the class comment).
    public bool Announce(int generation, OrderView view) => Offer(generation, view, fromFeed: true);

    private bool Offer(int generation, OrderView view, bool fromFeed)
    {
        if (!view.IsCreated)
        {
            return false;
        }

        lock (gate)
        {
            MoveTo(generation);
            if (generation != this.generation)
            {
                return false; // an older generation's view
            }

            var now = time.GetTimestamp();
            if (!entries.TryGetValue(view.Id, out var node))
            {
                entries[view.Id] = recency.AddFirst(new Entry(view, now, fromFeed));
                if (entries.Count > maxEntries)
                {
                    entries.Remove(recency.Last!.Value.View.Id);
                    recency.RemoveLast();
                }

                return fromFeed;
            }

            var entry = node.Value;
            Touch(node);
            if (view.Version > entry.View.Version)
            {
                (entry.View, entry.StoredAt, entry.Announced) = (view, now, fromFeed);
                return fromFeed;
            }

            if (view.Version < entry.View.Version)
            {
                return false;
            }

            // The same version again: it is as fresh as now.
            entry.StoredAt = now;
            var news = fromFeed && !entry.Announced;
            entry.Announced |= fromFeed;
            return news;
        }
    }

    // Generations only move forward: the first view or read of a newer one empties the cache.
    private void MoveTo(int generation)
    {
        if (generation > this.generation)
        {
            entries.Clear();
            recency.Clear();
            this.generation = generation;
        }
    }

    private void Touch(LinkedListNode<Entry> node)
    {
        if (node != recency.First)
        {
            recency.Remove(node);
            recency.AddFirst(node);
        }
    }
}
