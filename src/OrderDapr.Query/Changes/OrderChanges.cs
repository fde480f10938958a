using OrderDapr.Query.ReadModel;

namespace OrderDapr.Query.Changes;

// The message of topic `order-changes`: the order views one projected batch committed, for each
// read-model generation it was committed to (while a rebuild runs: the current generation and the
// one being built, so that a replica that has switched already finds its generation's views),
// stamped with the time of the commit. Views are the documents as committed, without the events
// still waiting for a predecessor.
public sealed record OrderChanges(DateTimeOffset CommittedAt, IReadOnlyList<GenerationChanges> Generations);

public sealed record GenerationChanges(int Generation, IReadOnlyList<OrderView> Orders);
