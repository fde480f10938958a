namespace DaprEmulator.Faults;

// What was injected so far, per kind.
public sealed record FaultCounts(
    long DeliveriesDuplicated,
    long DeliveriesDelayed,
    long StateCallsFailed,
    long PublishesFailed,
    long AppCallsFailed)
{
    public static FaultCounts None { get; } = new(0, 0, 0, 0, 0);
}
