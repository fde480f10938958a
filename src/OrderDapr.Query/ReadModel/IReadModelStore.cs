namespace OrderDapr.Query.ReadModel;

// A document as read, with the ETag to write it back with; ETag null = the key does not exist.
public sealed record Stored<T>(T? Value, string? ETag) where T : class
{
    public static Stored<T> Missing { get; } = new(null, null);
}

// One operation of a transaction: an upsert of Value, or a delete when Value is null. An upsert
// with ETag null is insert only (first-write without ETag fails when the key exists), so two
// first deliveries of the same order cannot both create it; a delete always names the ETag read.
public sealed record DocumentWrite(string Key, object? Value, string? ETag)
{
    public static DocumentWrite Delete(string key, string etag) => new(key, null, etag);
}

// The `readmodel` state store as the projection, the queries, the rebuild and the dead letters need it.
public interface IReadModelStore
{
    Task<Stored<T>> GetAsync<T>(string key, CancellationToken cancellationToken) where T : class;

    // One bulk read: the documents in the order of `keys`, Missing where a key does not exist.
    Task<IReadOnlyList<Stored<T>>> GetManyAsync<T>(IReadOnlyList<string> keys, CancellationToken cancellationToken) where T : class;

    // All or nothing. Throws when an ETag no longer matches or the store fails; through Dapr
    // both surface as the same error (a transaction reports every failure as Internal).
    Task CommitAsync(IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken);
}
