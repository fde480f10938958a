using System.Globalization;
using DaprEmulator.Components;
using DaprEmulator.GoFormats;

namespace DaprEmulator.PubSub;

// The pubsub.redis metadata that changes delivery (components-contrib common/component/redis
// settings.go and pubsub/redis/metadata.yaml defaults). Connection settings are accepted and ignored.
public sealed record RedisStreamsSettings(string ConsumerId, int Concurrency, TimeSpan ProcessingTimeout, TimeSpan RedeliverInterval)
{
    public static RedisStreamsSettings From(IReadOnlyDictionary<string, string> metadata, string appId)
    {
        string? Get(string key) => metadata.FirstOrDefault(m => string.Equals(m.Key, key, StringComparison.OrdinalIgnoreCase)).Value;

        // pkg/runtime/processor/pubsub: an empty consumerID becomes the app id.
        var consumerId = Get("consumerID")?.Trim();
        try
        {
            return new RedisStreamsSettings(
                string.IsNullOrEmpty(consumerId) ? appId : consumerId,
                Get("concurrency") is { Length: > 0 } c ? int.Parse(c, CultureInfo.InvariantCulture) : 10,
                Get("processingTimeout") is { Length: > 0 } p ? ParseDuration(p) : TimeSpan.FromSeconds(60),
                Get("redeliverInterval") is { Length: > 0 } r ? ParseDuration(r) : TimeSpan.FromSeconds(15));
        }
        catch (FormatException e)
        {
            throw new ResourceLoadException($"pubsub.redis metadata: {e.Message}", e);
        }
    }

    // Redis durations accept Go durations or a number of milliseconds (settings.go Decode hook).
    private static TimeSpan ParseDuration(string value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? TimeSpan.FromMilliseconds(ms) : GoDuration.Parse(value);
}
