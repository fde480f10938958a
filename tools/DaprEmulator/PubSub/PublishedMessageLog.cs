using System.Text.Json.Nodes;

namespace DaprEmulator.PubSub;

// Test hook: every message a sidecar handed to a pub/sub component, in order.
public sealed record PublishedMessage(
    long Sequence,
    string PubSubName,
    string Topic,
    string PublisherAppId,
    byte[] Data,
    IReadOnlyDictionary<string, string> Metadata,
    DateTimeOffset PublishedAt)
{
    // The CloudEvent JSON (null for a raw payload that is not a JSON object).
    public JsonObject? CloudEvent
    {
        get
        {
            try
            {
                return JsonNode.Parse(Data) as JsonObject;
            }
            catch (System.Text.Json.JsonException)
            {
                return null;
            }
        }
    }

    internal IPubSubComponent? Component { get; init; }
}

// Empty when not `recording` (EmulatorOptions.RecordTraffic).
public sealed class PublishedMessageLog(bool recording)
{
    private readonly Lock _lock = new();
    private readonly List<PublishedMessage> _messages = [];

    internal void Add(string pubsub, string topic, string appId, byte[] data, IReadOnlyDictionary<string, string>? metadata, DateTimeOffset at, IPubSubComponent component)
    {
        if (!recording)
        {
            return;
        }

        lock (_lock)
        {
            _messages.Add(new PublishedMessage(_messages.Count + 1, pubsub, topic, appId, data, metadata ?? new Dictionary<string, string>(), at) { Component = component });
        }
    }

    public IReadOnlyList<PublishedMessage> All()
    {
        lock (_lock)
        {
            return [.. _messages];
        }
    }
}
