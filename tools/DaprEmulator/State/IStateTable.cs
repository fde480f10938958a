namespace DaprEmulator.State;

// One stored row of a state table: the value as Get returns it, its ETag and expiry.
public sealed record StateRow(byte[] Value, string ETag, DateTimeOffset? ExpiresAt);

// Where an emulated store keeps its rows (in memory or in SQLite). Rows come back whether expired
// or not: what expiry means is the store's rule. Reads may come from any thread at any time and
// see committed rows only; Commit is called by one writer at a time.
public interface IStateTable : IDisposable
{
    StateRow? Find(string key);

    // Find for the one writer: also sees the rows of Commits not yet stored.
    StateRow? FindForWrite(string key);

    // The rows of those keys that have one, in no particular order.
    IReadOnlyList<KeyValuePair<string, StateRow>> FindMany(IReadOnlyList<string> keys);

    IReadOnlyList<KeyValuePair<string, StateRow>> All();

    // The largest ETag that is an integer (0 when none is): v1 ETags are transaction ids, which
    // must go on growing across a restart.
    long HighestIntegerETag();

    // Writes the rows (null deletes the key) all together or, failing, none. FindForWrite sees them
    // at once; the task completes when they are stored (durable, where the table is).
    Task Commit(IReadOnlyDictionary<string, StateRow?> writes);
}
