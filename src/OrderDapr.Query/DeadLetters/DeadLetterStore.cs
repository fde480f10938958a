using OrderDapr.Query.ReadModel;

namespace OrderDapr.Query.DeadLetters;

public sealed record DeadLetterListing(int Count, IReadOnlyList<DeadLetter> Entries, DeadLetterCursor? Next);

// The dead letters in the `readmodel` store. Every change writes the letters, their index pages
// and the head in one transaction guarded by the ETags read, so two replicas (or a delivery and
// a replay) never lose each other's change; a conflict is retried on a fresh read.
public sealed class DeadLetterStore(IReadModelStore store, ILogger<DeadLetterStore> logger)
{
    private const int Attempts = 5;

    // Parks the letters not parked yet; a letter whose id is parked already leaves that one as it
    // is (its reason was recorded when it was parked first).
    public Task ParkAsync(IReadOnlyList<DeadLetter> letters, CancellationToken cancellationToken) => RetryAsync(async () =>
    {
        var candidates = letters.DistinctBy(l => l.Id, StringComparer.Ordinal).ToList();
        var parked = await store.GetManyAsync<DeadLetter>([.. candidates.Select(l => DeadLetterKeys.Entry(l.Id))], cancellationToken);
        var fresh = candidates.Where((_, i) => parked[i].ETag is null).ToList();
        if (fresh.Count == 0)
        {
            return;
        }

        var head = await store.GetAsync<DeadLetterIndexHead>(DeadLetterKeys.Head, cancellationToken);
        var newest = head.Value is { Pages: [.., var last] }
            ? await store.GetAsync<DeadLetterIndexPage>(DeadLetterKeys.Page(last), cancellationToken)
            : Stored<DeadLetterIndexPage>.Missing;
        var (newHead, pages, placed) = DeadLetterIndex.Add(head.Value ?? new DeadLetterIndexHead(), newest.Value, fresh);

        var writes = new List<DocumentWrite>();
        writes.AddRange(placed.Select(l => new DocumentWrite(DeadLetterKeys.Entry(l.Id), l, null)));
        writes.AddRange(pages.Select(p => new DocumentWrite(DeadLetterKeys.Page(p.Page), p, p.Page == newest.Value?.Page ? newest.ETag : null)));
        writes.Add(new DocumentWrite(DeadLetterKeys.Head, newHead, head.ETag));
        await store.CommitAsync(writes, cancellationToken);
        foreach (var letter in placed)
        {
            logger.LogWarning("Parked event {CloudEventId} ({CloudEventType}) of order {OrderId} as a dead letter: {Reason}",
                letter.Id, letter.Type, letter.OrderId, letter.Reason);
        }
    }, cancellationToken);

    public async Task<int> CountAsync(CancellationToken cancellationToken) =>
        (await store.GetAsync<DeadLetterIndexHead>(DeadLetterKeys.Head, cancellationToken)).Value?.Count ?? 0;

    // In the order they were parked, after `after`: at most `limit`, and the cursor of the rest.
    public async Task<DeadLetterListing> ListAsync(DeadLetterCursor? after, int limit, CancellationToken cancellationToken)
    {
        if ((await store.GetAsync<DeadLetterIndexHead>(DeadLetterKeys.Head, cancellationToken)).Value is not { } head)
        {
            return new DeadLetterListing(0, [], null);
        }

        var pageNumbers = head.Pages.Where(p => after is null || p >= after.Page).ToList();
        var listed = new List<(int Page, DeadLetterIndexEntry Entry)>();
        for (var i = 0; i < pageNumbers.Count && listed.Count <= limit; i++)
        {
            var page = (await store.GetAsync<DeadLetterIndexPage>(DeadLetterKeys.Page(pageNumbers[i]), cancellationToken)).Value;
            listed.AddRange((page?.Entries ?? [])
                .Where(e => after is null || pageNumbers[i] > after.Page || e.Sequence > after.Sequence)
                .Select(e => (pageNumbers[i], e)));
        }

        var shown = listed.Take(limit).ToList();
        var letters = await store.GetManyAsync<DeadLetter>([.. shown.Select(e => DeadLetterKeys.Entry(e.Entry.Id))], cancellationToken);
        var next = listed.Count > limit ? new DeadLetterCursor(shown[^1].Page, shown[^1].Entry.Sequence) : null;
        return new DeadLetterListing(head.Count, [.. letters.Select(l => l.Value).OfType<DeadLetter>()], next);
    }

    public async Task<IReadOnlyList<DeadLetter?>> GetAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        [.. (await store.GetManyAsync<DeadLetter>([.. ids.Select(DeadLetterKeys.Entry)], cancellationToken)).Select(s => s.Value)];

    // Every parked id, oldest first.
    public async Task<IReadOnlyList<string>> AllIdsAsync(CancellationToken cancellationToken)
    {
        var head = (await store.GetAsync<DeadLetterIndexHead>(DeadLetterKeys.Head, cancellationToken)).Value;
        var pages = await store.GetManyAsync<DeadLetterIndexPage>([.. (head?.Pages ?? []).Select(DeadLetterKeys.Page)], cancellationToken);
        return [.. pages.SelectMany(p => p.Value?.Entries ?? []).Select(e => e.Id)];
    }

    // Removes the letters `leaving` and gives the letters in `reasons` their new reason; a
    // letter gone already (another replay took it) is skipped.
    public Task ResolveAsync(IReadOnlyCollection<string> leaving, IReadOnlyDictionary<string, string> reasons, CancellationToken cancellationToken) =>
        RetryAsync(async () =>
        {
            var ids = leaving.Concat(reasons.Keys).Distinct(StringComparer.Ordinal).ToList();
            if (ids.Count == 0)
            {
                return;
            }

            var letters = await store.GetManyAsync<DeadLetter>([.. ids.Select(DeadLetterKeys.Entry)], cancellationToken);
            var writes = new List<DocumentWrite>();
            var removed = new List<DeadLetter>();
            for (var i = 0; i < ids.Count; i++)
            {
                if (letters[i] is not { Value: { } letter, ETag: { } etag })
                {
                    continue;
                }

                if (leaving.Contains(ids[i]))
                {
                    writes.Add(DocumentWrite.Delete(DeadLetterKeys.Entry(letter.Id), etag));
                    removed.Add(letter);
                }
                else if (reasons[ids[i]] != letter.Reason)
                {
                    writes.Add(new DocumentWrite(DeadLetterKeys.Entry(letter.Id), letter with { Reason = reasons[ids[i]] }, etag));
                }
            }

            if (removed.Count > 0)
            {
                writes.AddRange(await IndexRemovalsAsync(removed, cancellationToken));
            }

            if (writes.Count > 0)
            {
                await store.CommitAsync(writes, cancellationToken);
            }
        }, cancellationToken);

    private async Task<IReadOnlyList<DocumentWrite>> IndexRemovalsAsync(List<DeadLetter> removed, CancellationToken cancellationToken)
    {
        var head = await store.GetAsync<DeadLetterIndexHead>(DeadLetterKeys.Head, cancellationToken);
        var pageNumbers = removed.Select(l => l.Page).Distinct().ToList();
        var pages = await store.GetManyAsync<DeadLetterIndexPage>([.. pageNumbers.Select(DeadLetterKeys.Page)], cancellationToken);
        var etags = pageNumbers.Zip(pages).ToDictionary(p => p.First, p => p.Second.ETag);
        var (newHead, written) = DeadLetterIndex.Remove(head.Value ?? new DeadLetterIndexHead(), [.. pages.Select(p => p.Value).OfType<DeadLetterIndexPage>()], removed);

        var writes = written
            .Select(p => p.Page is null
                ? DocumentWrite.Delete(DeadLetterKeys.Page(p.Number), etags[p.Number]!)
                : new DocumentWrite(DeadLetterKeys.Page(p.Number), p.Page, etags[p.Number]))
            .ToList();
        writes.Add(new DocumentWrite(DeadLetterKeys.Head, newHead, head.ETag));
        return writes;
    }

    private async Task RetryAsync(Func<Task> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await change();
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && attempt < Attempts)
            {
                logger.LogDebug(ex, "Changing the dead letters failed on attempt {Attempt}; retrying on a fresh read", attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 40) * attempt), cancellationToken);
            }
        }
    }
}
