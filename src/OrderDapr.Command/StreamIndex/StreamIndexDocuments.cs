namespace OrderDapr.Command.StreamIndex;

// The stream index lists every order id whose stream may exist, because Dapr's state API cannot
// list keys and a read-model rebuild must enumerate the streams. It lives in the `eventstore`
// component beside the streams, written with plain SaveState: Dapr's transactional outbox publishes
// only the upserts of ExecuteStateTransaction, so these writes publish nothing.
//
// Every order-command instance appends to a lane of its own (so replicas never contend), a GUID
// chosen at start-up and listed once in `stream-index-lanes`. A lane is a sequence of pages
// `stream-index-{laneId}-{page}` (0, 1, …); a page holds up to Capacity ids and the next page is
// started only once it is full, so a page with fewer ids is the lane's last for now.

// `stream-index-lanes`: every lane id, in the order the lanes were registered.
public sealed record StreamIndexLanes(IReadOnlyList<string> LaneIds)
{
    public const string Key = "stream-index-lanes";

    public static readonly StreamIndexLanes None = new([]);
}

// `stream-index-{laneId}-{page}`: order ids in the order they were recorded; an id may repeat.
public sealed record StreamIndexPage(IReadOnlyList<string> OrderIds)
{
    public const int Capacity = 1000;

    public static string KeyOf(string laneId, int page) => $"stream-index-{laneId}-{page}";
}
