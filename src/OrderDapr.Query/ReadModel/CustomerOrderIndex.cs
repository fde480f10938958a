using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace OrderDapr.Query.ReadModel;

// The per-customer index behind `orders(customerId, status, first, after)`.
//
// Why this shape: the `readmodel` store is a key/value store reached through Dapr. Its Query
// API is alpha and missing from the default components (PostgreSQL v2, Redis without
// RediSearch), so nothing may scan or filter the store. One document listing all of a
// customer's orders would grow without bound and be rewritten on every order, and every
// write of it would conflict with the customer's other orders. So:
//   - `customer-page-{n}-{customerId}` holds at most 50 entries {orderId, createdAt, sortedAt},
//     ascending. An entry is added when OrderCreated is applied, in the same transaction as the
//     order document. Only the newest page takes entries; once full it is closed for good, so
//     an entry never moves and a cursor stays valid while new orders arrive.
//   - Delivery is unordered and 10 deliveries run at once, so OrderCreated events of orders
//     placed a moment apart are projected in any order. The newest page is therefore kept
//     sorted by (createdAt, orderId) rather than by arrival. An entry older than everything the
//     closed pages hold (its page's `floor`, the newest key of the page before) would have to go
//     into a closed page; it sorts just above the floor instead (`sortedAt`). That only happens
//     when its delivery lagged behind newer orders of the same customer that closed a page.
//   - `customer-head-{customerId}` holds {pageCount, totalCount, countsByStatus}: where the
//     newest page is and the counts that `totalCount` answers without reading any page.
//     countsByStatus changes in the transaction of every status change (ETag on the head), so
//     it cannot drift.
// A read walks pages newest to oldest, keeps the entries within the dates asked for (the entry's
// createdAt decides, so no document outside them is read), filters by status on the order
// documents, bulk-read per page (the status lives on the order document, which changes; copying
// it into the entries would mean rewriting closed pages), and stops at first+1 matches, or after
// a fixed number of pages so a rare status cannot make one request read the whole history. It then answers
// hasNextPage=true with endCursor at the scan position: Relay allows fewer edges than `first`.
// A cursor holds the page and the key of its entry: everything below that key lies on that
// page or older ones, because every key of a later page is above that page's newest key.
public sealed record IndexKey(DateTimeOffset SortedAt, string OrderId) : IComparable<IndexKey>
{
    public int CompareTo(IndexKey? other) =>
        other is null ? 1
        : SortedAt.UtcTicks != other.SortedAt.UtcTicks ? SortedAt.UtcTicks.CompareTo(other.SortedAt.UtcTicks)
        : string.CompareOrdinal(OrderId, other.OrderId);

    public static bool operator <(IndexKey left, IndexKey right) => left.CompareTo(right) < 0;
    public static bool operator >(IndexKey left, IndexKey right) => left.CompareTo(right) > 0;
    public static bool operator <=(IndexKey left, IndexKey right) => left.CompareTo(right) <= 0;
    public static bool operator >=(IndexKey left, IndexKey right) => left.CompareTo(right) >= 0;
}

public sealed record IndexEntry(string OrderId, DateTimeOffset CreatedAt, DateTimeOffset SortedAt)
{
    [JsonIgnore]
    public IndexKey Key => new(SortedAt, OrderId);
}

public sealed record CustomerOrdersPage(string CustomerId, int Page)
{
    // The newest key of the page before: every entry here sorts above it.
    public IndexKey? Floor { get; init; }

    public IReadOnlyList<IndexEntry> Entries { get; init; } = [];
}

public sealed record CustomerOrdersHead(string CustomerId)
{
    public int PageCount { get; init; }
    public int TotalCount { get; init; }
    public IReadOnlyDictionary<OrderStatus, int> CountsByStatus { get; init; } = new Dictionary<OrderStatus, int>();

    public int CountOf(OrderStatus status) => CountsByStatus.GetValueOrDefault(status);
}

// What one projection step does to the index of the order's customer.
public abstract record IndexChange(string CustomerId)
{
    public sealed record Added(string CustomerId, string OrderId, DateTimeOffset CreatedAt, OrderStatus Status) : IndexChange(CustomerId);

    public sealed record StatusMoved(string CustomerId, OrderStatus From, OrderStatus To) : IndexChange(CustomerId);
}

public sealed record OrderEdge(string Cursor, OrderView Node);

public sealed record PageInfo(bool HasNextPage, bool HasPreviousPage, string? StartCursor, string? EndCursor);

public sealed record OrderConnection(IReadOnlyList<OrderEdge> Edges, PageInfo PageInfo, int TotalCount)
{
    public static OrderConnection Empty { get; } = new([], new PageInfo(false, false, null, null), 0);
}

public static class CustomerOrderIndex
{
    public const int PageSize = 50;

    public static IndexChange? ChangeFor(OrderView before, OrderView after)
    {
        if (after is not { IsCreated: true, CustomerId: { } customerId, Status: { } to })
        {
            return null;
        }

        if (before.Status is not { } from)
        {
            return new IndexChange.Added(customerId, after.Id, after.CreatedAt ?? default, to);
        }

        return from == to ? null : new IndexChange.StatusMoved(customerId, from, to);
    }

    // `newestPage` is page head.PageCount - 1 (null when the customer has no page yet). The
    // result is that page with the entry, or a new page when it was full.
    public static (CustomerOrdersHead Head, CustomerOrdersPage Page) Append(
        CustomerOrdersHead head, CustomerOrdersPage? newestPage, IndexChange.Added added)
    {
        var target = newestPage switch
        {
            null => new CustomerOrdersPage(head.CustomerId, head.PageCount),
            { Entries.Count: < PageSize } => newestPage,
            _ => new CustomerOrdersPage(head.CustomerId, newestPage.Page + 1) { Floor = newestPage.Entries[^1].Key },
        };

        var key = new IndexKey(added.CreatedAt, added.OrderId);
        var sortedAt = target.Floor is { } floor && key <= floor ? floor.SortedAt.AddTicks(1) : added.CreatedAt;
        var entry = new IndexEntry(added.OrderId, added.CreatedAt, sortedAt);

        return (
            head with
            {
                PageCount = Math.Max(head.PageCount, target.Page + 1),
                TotalCount = head.TotalCount + 1,
                CountsByStatus = Count(head.CountsByStatus, added.Status, +1),
            },
            target with { Entries = [.. target.Entries.Append(entry).OrderBy(e => e.Key)] });
    }

    // The changes one batch of events makes to one customer's index, applied to its head and
    // newest page (null when it has none): the head, and every page written (the newest page
    // first when it took entries, then the pages opened after it), oldest entries appended first.
    public static (CustomerOrdersHead Head, IReadOnlyList<CustomerOrdersPage> Pages) Apply(
        CustomerOrdersHead head, CustomerOrdersPage? newestPage, IEnumerable<IndexChange> changes)
    {
        var pages = new List<CustomerOrdersPage>();
        var newest = newestPage;
        foreach (var change in changes.OrderBy(c => c is IndexChange.Added a ? new IndexKey(a.CreatedAt, a.OrderId) : null))
        {
            switch (change)
            {
                case IndexChange.Added added:
                    (head, var page) = Append(head, newest, added);
                    if (pages.Count > 0 && pages[^1].Page == page.Page)
                    {
                        pages[^1] = page;
                    }
                    else
                    {
                        pages.Add(page);
                    }

                    newest = page;
                    break;
                case IndexChange.StatusMoved moved:
                    head = Move(head, moved);
                    break;
            }
        }

        return (head, pages);
    }

    public static CustomerOrdersHead Move(CustomerOrdersHead head, IndexChange.StatusMoved moved) =>
        head with { CountsByStatus = Count(Count(head.CountsByStatus, moved.From, -1), moved.To, +1) };

    private static Dictionary<OrderStatus, int> Count(IReadOnlyDictionary<OrderStatus, int> counts, OrderStatus status, int delta)
    {
        var updated = new Dictionary<OrderStatus, int>(counts);
        updated[status] = Math.Max(0, updated.GetValueOrDefault(status) + delta);
        return updated;
    }

    // One page of a customer's orders, newest first, continuing below `after` when given. The
    // dates are decided on the index entries, so no document outside them is read. Without a
    // status every admitted entry is an edge: the entries are walked first, then the documents
    // of the edges shown are read in one bulk read. With a status, the documents decide: each
    // index page's candidates are read in one bulk read.
    public static async Task<OrderConnection> ReadAsync(
        IReadModelStore store,
        ReadModelKeys keys,
        string customerId,
        OrderFilter filter,
        int first,
        OrderCursor? after,
        int maxPagesPerRequest,
        CancellationToken cancellationToken)
    {
        var head = (await store.GetAsync<CustomerOrdersHead>(keys.CustomerHead(customerId), cancellationToken)).Value;
        if (head is null)
        {
            return OrderConnection.Empty;
        }

        var totalCount = filter.Status is { } s ? head.CountOf(s) : head.TotalCount;
        var wanted = first + 1; // one more than asked tells whether a next page exists
        var matches = new List<Match>();
        var pageNumber = Math.Min(after?.Page ?? int.MaxValue, head.PageCount - 1);
        var below = after?.Below; // null: the whole page
        var pagesRead = 0;

        while (pageNumber >= 0 && matches.Count < wanted && pagesRead < maxPagesPerRequest)
        {
            var page = (await store.GetAsync<CustomerOrdersPage>(keys.CustomerPage(customerId, pageNumber), cancellationToken)).Value;
            pagesRead++;

            var candidates = new List<IndexEntry>();
            var exhausted = false;
            foreach (var entry in (page?.Entries ?? []).Where(e => below is null || e.Key < below).OrderByDescending(e => e.Key))
            {
                if (filter.EndsAt(entry))
                {
                    exhausted = true;
                    break;
                }

                if (filter.Admits(entry))
                {
                    candidates.Add(entry);
                }
            }

            if (filter.Status is null)
            {
                matches.AddRange(candidates.Take(wanted - matches.Count).Select(e => new Match(new OrderCursor(pageNumber, e.Key), e.OrderId, null)));
            }
            else if (candidates.Count > 0)
            {
                var orders = await store.GetManyAsync<OrderView>([.. candidates.Select(e => keys.Order(e.OrderId))], cancellationToken);
                for (var i = 0; i < candidates.Count && matches.Count < wanted; i++)
                {
                    if (orders[i].Value is { IsCreated: true } order && order.Status == filter.Status)
                    {
                        matches.Add(new Match(new OrderCursor(pageNumber, candidates[i].Key), order.Id, order));
                    }
                }
            }

            if (exhausted)
            {
                pageNumber = -1; // every older entry was placed before PlacedAfter
            }
            else if (matches.Count < wanted)
            {
                pageNumber--; // the whole page is scanned
                below = null;
            }
        }

        var shown = matches.Take(first).ToList();
        if (filter.Status is null && shown.Count > 0)
        {
            var orders = await store.GetManyAsync<OrderView>([.. shown.Select(m => keys.Order(m.OrderId))], cancellationToken);
            shown = [.. shown.Select((m, i) => m with { Order = orders[i].Value })];
        }

        // An entry whose document is gone (tampering) is skipped, its position kept.
        var edges = shown.Where(m => m.Order is { IsCreated: true }).Select(m => new OrderEdge(m.Cursor.Encode(), m.Order!)).ToList();
        var startCursor = edges.FirstOrDefault()?.Cursor;
        if (matches.Count > first)
        {
            return new OrderConnection(edges, new PageInfo(true, false, startCursor, shown.LastOrDefault()?.Cursor.Encode()), totalCount);
        }

        // Stopped by the page limit: older pages remain, starting with `pageNumber`.
        var more = pageNumber >= 0;
        var endCursor = more ? new OrderCursor(pageNumber, null).Encode() : shown.LastOrDefault()?.Cursor.Encode();
        return new OrderConnection(edges, new PageInfo(more, false, startCursor, endCursor), totalCount);
    }

    // An admitted index entry; Order once its document is read.
    private sealed record Match(OrderCursor Cursor, string OrderId, OrderView? Order);
}

// Which of a customer's orders `orders` lists. The dates bound CreatedAt: PlacedAfter inclusive,
// PlacedBefore exclusive, so that consecutive ranges neither overlap nor leave gaps.
public sealed record OrderFilter(OrderStatus? Status = null, DateTimeOffset? PlacedAfter = null, DateTimeOffset? PlacedBefore = null)
{
    public static OrderFilter None { get; } = new();

    public bool Admits(IndexEntry entry) =>
        (PlacedAfter is not { } from || entry.CreatedAt >= from) && (PlacedBefore is not { } to || entry.CreatedAt < to);

    // Entries are walked newest first by SortedAt, and CreatedAt <= SortedAt (an entry sorted
    // above its page's floor was created before it): below PlacedAfter, no older entry can match.
    public bool EndsAt(IndexEntry entry) => PlacedAfter is { } from && entry.SortedAt < from;
}

// Opaque to clients: continue on index page `Page` with the entries below `Below` (all when null).
public sealed record OrderCursor(int Page, IndexKey? Below)
{
    private const string Prefix = "order-index:";

    public string Encode()
    {
        var text = Below is null
            ? string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Page}")
            : string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Page}:{Below.SortedAt.UtcTicks}:{Below.OrderId}");
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
    }

    public static bool TryDecode(string cursor, [NotNullWhen(true)] out OrderCursor? decoded)
    {
        decoded = null;
        var bytes = new byte[cursor.Length];
        if (!Convert.TryFromBase64String(cursor, bytes, out var length))
        {
            return false;
        }

        var text = Encoding.UTF8.GetString(bytes, 0, length);
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = text[Prefix.Length..].Split(':', 3);
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var page))
        {
            return false;
        }

        if (parts.Length == 1)
        {
            decoded = new OrderCursor(page, null);
            return true;
        }

        if (parts.Length != 3 || parts[2].Length == 0
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        decoded = new OrderCursor(page, new IndexKey(new DateTimeOffset(ticks, TimeSpan.Zero), parts[2]));
        return true;
    }
}
