namespace DaprEmulator.State;

// One write as daprd hands it to a state component (components-contrib state.SetRequest /
// DeleteRequest). Keys are already prefixed. An empty ETag means "no ETag" (req.HasETag()).
public abstract record StateOperation(string Key)
{
    public string? ETag { get; init; }

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    // "", "first-write" or "last-write" (state.FirstWrite / state.LastWrite); anything else is rejected by the store.
    public string Concurrency { get; init; } = "";

    public string Consistency { get; init; } = "";

    public bool HasETag => !string.IsNullOrEmpty(ETag);
}

// Value: the bytes to store. ValueIsJson: the value reached daprd as JSON that the component
// re-marshals (SaveState with metadata contentType application/json, or the HTTP state API),
// rather than as opaque bytes.
public sealed record SetOperation(string Key, byte[] Value, bool ValueIsJson = false) : StateOperation(Key);

public sealed record DeleteOperation(string Key) : StateOperation(Key);

public sealed record StateEntry(byte[] Value, string ETag, DateTimeOffset? ExpiresAt)
{
    // state.GetRespMetaKeyTTLExpireTime, RFC 3339 in UTC.
    public IReadOnlyDictionary<string, string>? Metadata => ExpiresAt is { } at
        ? new Dictionary<string, string> { ["ttlExpireTime"] = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) }
        : null;
}

// One answer of a bulk get: Entry null = missing key (an empty item), Error = per-key failure.
public sealed record BulkGetItem(string Key, StateEntry? Entry, string? Error = null);
