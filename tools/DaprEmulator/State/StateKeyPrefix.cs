namespace DaprEmulator.State;

// daprd's key prefixing (pkg/components/state/state_config.go): metadata keyPrefix = appid
// (default), none, name, namespace or a literal (lower-cased, like the strategy names).
public sealed class StateKeyPrefix
{
    public const string Separator = "||";

    private readonly string _strategy;
    private readonly string _storeName;
    private readonly string? _namespace;

    public StateKeyPrefix(string storeName, string? keyPrefixMetadata, string? ns)
    {
        _storeName = storeName;
        _namespace = string.IsNullOrEmpty(ns) ? null : ns;
        _strategy = string.IsNullOrEmpty(keyPrefixMetadata) ? "appid" : keyPrefixMetadata.ToLowerInvariant();
        if (_strategy.Contains(Separator, StringComparison.Ordinal))
        {
            throw new InvalidStateKeyException(_strategy);
        }
    }

    public string Apply(string key, string appId)
    {
        if (key.Contains(Separator, StringComparison.Ordinal))
        {
            throw new InvalidStateKeyException(key);
        }

        return _strategy switch
        {
            "none" => key,
            "name" => _storeName + Separator + key,
            "appid" => appId.Length == 0 ? key : appId + Separator + key,
            "namespace" when appId.Length == 0 => key,
            "namespace" => _namespace is null ? appId + Separator + key : $"{_namespace}.{appId}{Separator}{key}",
            _ => _strategy + Separator + key,
        };
    }

    // GetOriginalStateKey: the second "||" segment, or the key itself when it has no prefix.
    public static string Strip(string storedKey)
    {
        var parts = storedKey.Split(Separator, 3);
        return parts.Length <= 1 ? storedKey : parts[1];
    }
}

// "input key/keyPrefix '...' can't contain '||'" (checkKeyIllegal), an InvalidArgument for the API.
public sealed class InvalidStateKeyException(string key)
    : Exception($"input key/keyPrefix '{key}' can't contain '{StateKeyPrefix.Separator}'")
{
    public string Key { get; } = key;
}
