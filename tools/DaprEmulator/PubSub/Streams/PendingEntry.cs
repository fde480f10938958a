namespace DaprEmulator.PubSub.Streams;

// One line of XPENDING stream group - + count: an entry read by a consumer of the group and not
// acknowledged, how long since it was last delivered and how many times it was.
public sealed record PendingEntry(StreamId Id, string Consumer, TimeSpan Idle, long DeliveryCount);
