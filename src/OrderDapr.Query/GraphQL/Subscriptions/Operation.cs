using GraphQL;

namespace OrderDapr.Query.GraphQL.Subscriptions;

// One operation of a connection, from `subscribe` until it completes, fails or is completed by
// the client: its cancellation, its source stream once it has one, and how many of its results
// wait to be written.
public sealed class Operation : IDisposable
{
    private readonly CancellationTokenSource cancellation;
    private readonly Lock gate = new();
    private IDisposable? stream;
    private bool disposed;
    private int queued;

    public Operation(string id, CancellationToken connection)
    {
        Id = id;
        cancellation = CancellationTokenSource.CreateLinkedTokenSource(connection);
        Cancellation = cancellation.Token; // read once: the source is disposed when the operation ends
    }

    public string Id { get; }

    public CancellationToken Cancellation { get; }

    public int Queued => Volatile.Read(ref queued);

    public int Enqueued() => Interlocked.Increment(ref queued);

    public void Sent() => Interlocked.Decrement(ref queued);

    public void Listen(IObservable<ExecutionResult> source, IObserver<ExecutionResult> observer)
    {
        var subscription = source.Subscribe(observer);
        lock (gate)
        {
            if (!disposed)
            {
                stream = subscription;
                return;
            }
        }

        subscription.Dispose(); // completed while it subscribed
    }

    public void Dispose()
    {
        IDisposable? listening;
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            listening = stream;
        }

        listening?.Dispose();
        cancellation.Cancel();
        cancellation.Dispose();
    }
}
