using System.Globalization;
using DaprEmulator.Components;
using StackExchange.Redis;

namespace DaprEmulator.PubSub.Streams;

// The connection metadata of a pubsub.redis component (components-contrib common/component/redis
// settings.go): redisHost (redisPort appended when the host has none), redisUsername,
// redisPassword, redisDB, enableTLS. A single server only: Sentinel and cluster are not emulated.
public static class RedisConnectionSettings
{
    public static ConfigurationOptions From(IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var md = metadata.ToDictionary(m => m.Key, m => m.Value, StringComparer.OrdinalIgnoreCase);
        string? Get(string key) => md.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

        if (Get("failover") is { } failover && bool.TryParse(failover, out var on) && on)
        {
            throw new ResourceLoadException("pubsub.redis metadata: failover (Redis Sentinel) is not supported against a real Redis");
        }

        if (Get("redisType") is { } type && !type.Equals("node", StringComparison.OrdinalIgnoreCase))
        {
            throw new ResourceLoadException($"pubsub.redis metadata: redisType '{type}' is not supported against a real Redis (only node)");
        }

        var host = Get("redisHost") ?? throw new ResourceLoadException("pubsub.redis metadata: redisHost is required");
        if (Get("redisPort") is { } port && !host.Contains(':', StringComparison.Ordinal))
        {
            host = $"{host}:{port}";
        }

        var options = new ConfigurationOptions
        {
            User = Get("redisUsername"),
            Password = Get("redisPassword"),
            DefaultDatabase = Get("redisDB") is { } db ? int.Parse(db, NumberStyles.None, CultureInfo.InvariantCulture) : 0,
            Ssl = Get("enableTLS") is { } tls && bool.TryParse(tls, out var ssl) && ssl,
        };
        options.EndPoints.Add(host);
        return options;
    }
}
