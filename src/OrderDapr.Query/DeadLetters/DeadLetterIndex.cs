using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace OrderDapr.Query.DeadLetters;

// The index that lists and counts the dead letters without reading them all, the same idea as
// the customers' order index: `dead-letter-index-page-{n}` lists up to PageSize ids in the order
// they were parked, only the newest page takes new ones, and `dead-letter-index-head` holds the
// count and the pages that still list any. Unlike orders, dead letters leave again: a page that
// empties is deleted and leaves the head's list, so a listing never reads an empty page.
public sealed record DeadLetterIndexHead
{
    public int Count { get; init; }

    public long NextSequence { get; init; }

    public int NextPage { get; init; }

    // Ascending; every page here lists at least one dead letter.
    public IReadOnlyList<int> Pages { get; init; } = [];
}

public sealed record DeadLetterIndexPage(int Page)
{
    public IReadOnlyList<DeadLetterIndexEntry> Entries { get; init; } = [];
}

// Sequence: the order of parking, for cursors that stay valid while dead letters leave.
public sealed record DeadLetterIndexEntry(string Id, long Sequence);

// Continue after the entry `Sequence` of page `Page`.
public sealed record DeadLetterCursor(int Page, long Sequence)
{
    public string Encode() => string.Create(CultureInfo.InvariantCulture, $"{Page}-{Sequence}");

    public static bool TryDecode(string text, [NotNullWhen(true)] out DeadLetterCursor? cursor)
    {
        cursor = null;
        var parts = text.Split('-');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var page)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            return false;
        }

        cursor = new DeadLetterCursor(page, sequence);
        return true;
    }
}

public static class DeadLetterIndex
{
    public const int PageSize = 100;

    // Lists `letters` (in the order given) on the newest page (null when the head lists none),
    // opening pages as they fill: the head, the pages written, and the letters with their places.
    public static (DeadLetterIndexHead Head, IReadOnlyList<DeadLetterIndexPage> Pages, IReadOnlyList<DeadLetter> Letters) Add(
        DeadLetterIndexHead head, DeadLetterIndexPage? newest, IReadOnlyList<DeadLetter> letters)
    {
        var pages = new List<DeadLetterIndexPage>();
        var placed = new List<DeadLetter>(letters.Count);
        var page = newest;
        foreach (var letter in letters)
        {
            if (page is null || page.Entries.Count >= PageSize)
            {
                page = new DeadLetterIndexPage(head.NextPage);
                head = head with { NextPage = head.NextPage + 1, Pages = [.. head.Pages, page.Page] };
            }

            page = page with { Entries = [.. page.Entries, new DeadLetterIndexEntry(letter.Id, head.NextSequence)] };
            if (pages.Count > 0 && pages[^1].Page == page.Page)
            {
                pages[^1] = page;
            }
            else
            {
                pages.Add(page);
            }

            placed.Add(letter with { Page = page.Page, Sequence = head.NextSequence });
            head = head with { Count = head.Count + 1, NextSequence = head.NextSequence + 1 };
        }

        return (head, pages, placed);
    }

    // Takes `letters` off `pages` (the pages they are listed on): the head, and each page as it
    // is to be written, null for a page left empty, to be deleted.
    public static (DeadLetterIndexHead Head, IReadOnlyList<(int Number, DeadLetterIndexPage? Page)> Pages) Remove(
        DeadLetterIndexHead head, IReadOnlyList<DeadLetterIndexPage> pages, IReadOnlyCollection<DeadLetter> letters)
    {
        var leaving = letters.Select(l => l.Id).ToHashSet(StringComparer.Ordinal);
        var written = new List<(int, DeadLetterIndexPage?)>();
        var removed = 0;
        var emptied = new HashSet<int>();
        foreach (var page in pages)
        {
            var kept = page.Entries.Where(e => !leaving.Contains(e.Id)).ToList();
            removed += page.Entries.Count - kept.Count;
            if (kept.Count == 0)
            {
                emptied.Add(page.Page);
            }

            written.Add((page.Page, kept.Count == 0 ? null : page with { Entries = kept }));
        }

        return (head with
        {
            Count = Math.Max(0, head.Count - removed),
            Pages = [.. head.Pages.Where(p => !emptied.Contains(p))],
        }, written);
    }
}
