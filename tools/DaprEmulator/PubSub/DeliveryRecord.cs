namespace DaprEmulator.PubSub;

public enum DeliveryOutcome
{
    // The app answered SUCCESS (or 2xx without a status).
    Delivered,

    // One attempt failed (RETRY, unknown status, 5xx, connection error); a policy may retry.
    AttemptFailed,

    // The app answered DROP or 404, or no rule matched, or the event expired.
    Dropped,

    // Sent to the subscription's dead-letter topic.
    DeadLettered,

    // Retries exhausted (or none configured) and no dead-letter topic: dropped with an error log.
    Failed,
}

// Test hook: what happened to a message at one subscriber.
public sealed record DeliveryRecord(
    string AppId,
    string PubSubName,
    string Topic,
    string? MessageId,
    string? Path,
    DeliveryOutcome Outcome,
    string? Detail,
    DateTimeOffset At);

// Empty when not `recording` (EmulatorOptions.RecordTraffic).
public sealed class DeliveryLog(bool recording)
{
    private readonly Lock _lock = new();
    private readonly List<DeliveryRecord> _records = [];

    internal void Add(DeliveryRecord record)
    {
        if (!recording)
        {
            return;
        }

        lock (_lock)
        {
            _records.Add(record);
        }
    }

    public IReadOnlyList<DeliveryRecord> All()
    {
        lock (_lock)
        {
            return [.. _records];
        }
    }
}
