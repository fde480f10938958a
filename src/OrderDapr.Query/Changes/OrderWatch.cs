using OrderDapr.Query.ReadModel;

namespace OrderDapr.Query.Changes;

// orderChanged's stream: the order as the read model holds it, then each newer version. It
// watches the hub before it reads the store, so a version committed in between is not missed,
// and sends versions in increasing order only. A subscriber thus needs no query of its own, and
// knows from the first message that the subscription is live. Nothing is sent first for an
// order the read model does not hold yet: its first version follows when it is projected.
public sealed class OrderWatch(OrderChangeHub hub, OrderQueries queries, string orderId, ILogger logger) : IObservable<OrderView>
{
    public IDisposable Subscribe(IObserver<OrderView> observer)
    {
        var subscription = new Subscription(observer);
        subscription.Watching = hub.OrderChanges(orderId).Subscribe(subscription);
        _ = ReadCurrentAsync(subscription);
        return subscription;
    }

    private async Task ReadCurrentAsync(Subscription subscription)
    {
        OrderView? current = null;
        var ended = subscription.Ended;
        try
        {
            current = await queries.GetOrderAsync(orderId, ended);
        }
        catch (Exception ex) when (!ended.IsCancellationRequested)
        {
            // The changes still follow; only the first message is missing.
            logger.LogWarning(ex, "The read model could not be read for a subscription of order {OrderId}", orderId);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        subscription.Start(current);
    }

    private sealed class Subscription(IObserver<OrderView> observer) : IObserver<OrderView>, IDisposable
    {
        private readonly Lock gate = new();
        private readonly CancellationTokenSource ended = new();
        private int disposed;
        private List<OrderView>? early = [];
        private int sent;

        public IDisposable? Watching { get; set; }

        public CancellationToken Ended => ended.Token;

        // The store's view, with the changes that arrived while it was read, in version order.
        public void Start(OrderView? current)
        {
            lock (gate)
            {
                var first = early!;
                early = null;
                if (current is not null)
                {
                    first.Add(current);
                }

                foreach (var view in first.OrderBy(v => v.Version))
                {
                    Send(view);
                }
            }
        }

        public void OnNext(OrderView value)
        {
            lock (gate)
            {
                if (early is not null)
                {
                    early.Add(value);
                }
                else
                {
                    Send(value);
                }
            }
        }

        public void OnError(Exception error) => observer.OnError(error);

        public void OnCompleted() => observer.OnCompleted();

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                Watching?.Dispose();
                ended.Cancel();
                ended.Dispose();
            }
        }

        private void Send(OrderView view)
        {
            if (view.Version > sent)
            {
                sent = view.Version;
                observer.OnNext(view);
            }
        }
    }
}
