using System.Globalization;
using DaprEmulator.Components;
using DaprEmulator.GoFormats;

namespace DaprEmulator.PubSub;

// The pubsub.redis metadata that changes delivery (components-contrib common/component/redis
// settings.go, with the pub/sub defaults of redis.go ParseClientFromProperties). The connection
// settings matter only against a real Redis (Streams/RedisConnectionSettings).
public sealed record RedisStreamsSettings(
    string ConsumerId, int QueueDepth, int Concurrency, TimeSpan ProcessingTimeout, TimeSpan RedeliverInterval, long MaxLenApprox)
{
    public static RedisStreamsSettings From(IReadOnlyDictionary<string, string> metadata, string appId)
    {
        string? Get(string key) => metadata.FirstOrDefault(m => string.Equals(m.Key, key, StringComparison.OrdinalIgnoreCase)).Value;

        // Entries trimmed by age (XADD MINID) would need stream ids that carry the publish time.
        if (Get("streamTTL") is { Length: > 0 })
        {
            throw new ResourceLoadException("pubsub.redis metadata: streamTTL is not emulated (maxLenApprox is)");
        }

        // pkg/runtime/processor/pubsub: an empty consumerID becomes the app id.
        var consumerId = Get("consumerID")?.Trim();
        try
        {
            var settings = new RedisStreamsSettings(
                string.IsNullOrEmpty(consumerId) ? appId : consumerId,
                Get("queueDepth") is { Length: > 0 } q ? ParseUint(q) : 100,
                Get("concurrency") is { Length: > 0 } c ? ParseUint(c) : 10,
                Get("processingTimeout") is { Length: > 0 } p ? ParseDuration(p) : TimeSpan.FromSeconds(60),
                Get("redeliverInterval") is { Length: > 0 } r ? ParseDuration(r) : TimeSpan.FromSeconds(15),
                Get("maxLenApprox") is { Length: > 0 } m ? long.Parse(m, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0);

            // queueDepth 0 is an unbuffered channel and an XREADGROUP without COUNT (go-redis omits a
            // zero count): every unread entry at once, the unbounded read-ahead the queue exists to avoid.
            return settings.QueueDepth == 0
                ? throw new ResourceLoadException("pubsub.redis metadata: queueDepth 0 (no COUNT on XREADGROUP) is not emulated")
                : settings;
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new ResourceLoadException($"pubsub.redis metadata: {e.Message}", e);
        }
    }

    // queueDepth and concurrency are Go uints.
    private static int ParseUint(string value) => checked((int)uint.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture));

    // Redis durations accept Go durations or a number of milliseconds (settings.go Decode hook).
    private static TimeSpan ParseDuration(string value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? TimeSpan.FromMilliseconds(ms) : GoDuration.Parse(value);
}
