using GraphQL;
using GraphQL.DataLoader;
using Microsoft.Extensions.Options;
using OrderDapr.Query.Changes;
using OrderDapr.Query.ReadModel;

namespace OrderDapr.Query.GraphQL;

// The `order` fields of one request. GraphQL.NET resolves every field of a level before it asks
// the data-loader results of that level for their values, so the orders asked for at one level
// are read together: one pass over the read cache and one read of the store for the rest.
//
// `atLeastVersion` (read your writes): the hub is asked to wake the field when that version
// arrives before the store is read, so that a version committed in between is not missed. A
// field whose read is older waits for the hub, not for a poll of the store, at most MaxWait;
// then it reads once more and answers with what the read model holds, marked stale in the
// response's extensions.
public sealed class OrderLoader(OrderQueries queries, OrderChangeHub hub, IOptions<ReadYourWritesOptions> options, TimeProvider time)
{
    public const string StaleExtension = "stale";

    private readonly TimeSpan maxWait = options.Value.MaxWait;
    private readonly Lock gate = new();
    private Batch? collecting;

    public IDataLoaderResult<OrderView?> Load(IResolveFieldContext context)
    {
        var orderId = context.GetArgument<string>("id");
        var atLeastVersion = context.GetArgument<int?>("atLeastVersion") ?? 0;
        if (atLeastVersion < 0)
        {
            throw new ExecutionError("atLeastVersion must not be negative.") { Code = "BAD_USER_INPUT" };
        }

        // The context is reused once the resolver returns: keep what the answer needs. The path
        // as in the response (aliases, not field names), so that the client finds the field.
        var path = context.ResponsePath.ToList();
        var extensions = context.OutputExtensions;

        Batch batch;
        int index;
        lock (gate)
        {
            batch = collecting ??= new Batch();
            index = batch.Reads.Count;
            batch.Reads.Add(new OrderRead(orderId, atLeastVersion));
        }

        var wait = atLeastVersion > 0 && ReadModelKeys.IsValidId(orderId) ? hub.WaitFor(orderId, atLeastVersion) : null;
        return new Deferred<OrderView?>(async cancellationToken =>
        {
            using (wait)
            {
                var view = (await ReadAsync(batch, cancellationToken))[index];
                if (wait is null || view?.Version >= atLeastVersion)
                {
                    return view;
                }

                try
                {
                    return await wait.Reached.WaitAsync(maxWait, time, cancellationToken);
                }
                catch (TimeoutException)
                {
                    // The change may have been committed without reaching the feed (publishing is best effort).
                    var latest = await queries.GetOrdersAsync([new OrderRead(orderId, atLeastVersion)], cancellationToken);
                    view = latest[0] ?? view;
                    if (view?.Version >= atLeastVersion)
                    {
                        return view;
                    }

                    AddStale(extensions, new Dictionary<string, object?>
                    {
                        ["path"] = path,
                        ["id"] = orderId,
                        ["atLeastVersion"] = atLeastVersion,
                        ["version"] = view?.Version,
                    });
                    return view;
                }
            }
        });
    }

    private Task<IReadOnlyList<OrderView?>> ReadAsync(Batch batch, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (collecting == batch)
            {
                collecting = null; // loads from now on form the next batch
            }

            return batch.Read ??= queries.GetOrdersAsync(batch.Reads, cancellationToken);
        }
    }

    // `extensions.stale`: the fields answered below the version they asked for (version null: no order yet).
    private static void AddStale(IDictionary<string, object?> extensions, Dictionary<string, object?> stale)
    {
        // Resolvers run in parallel; GraphQL.NET's own extension writers lock the dictionary too.
        lock (extensions)
        {
            if (extensions.TryGetValue(StaleExtension, out var entries) && entries is List<Dictionary<string, object?>> list)
            {
                list.Add(stale);
            }
            else
            {
                extensions[StaleExtension] = new List<Dictionary<string, object?>> { stale };
            }
        }
    }

    private sealed class Batch
    {
        public List<OrderRead> Reads { get; } = [];

        public Task<IReadOnlyList<OrderView?>>? Read { get; set; }
    }

    private sealed class Deferred<T>(Func<CancellationToken, Task<T>> load) : IDataLoaderResult<T>
    {
        private Task<T>? result;

        public Task<T> GetResultAsync(CancellationToken cancellationToken = default) => result ??= load(cancellationToken);

        async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) => await GetResultAsync(cancellationToken);
    }
}
