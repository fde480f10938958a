namespace OrderDapr.Command.EventStore;

public sealed class StreamConcurrencyException(string orderId, int expectedVersion, int currentVersion)
    : Exception($"The stream of order {orderId} moved on from version {expectedVersion} to {currentVersion} while appending.")
{
    public int CurrentVersion { get; } = currentVersion;
}
