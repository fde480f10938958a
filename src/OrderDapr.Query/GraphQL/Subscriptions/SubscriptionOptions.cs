namespace OrderDapr.Query.GraphQL.Subscriptions;

public sealed class SubscriptionOptions
{
    public const string Section = "Subscriptions";

    // When set, `connection_init` must carry {"token": "<it>"}; otherwise the socket is closed 4403.
    public string? Token { get; set; }

    // How often the server sends `ping` once the connection is acknowledged.
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(12);

    // How long a socket may stay open without `connection_init` (then 4408).
    public TimeSpan ConnectionInitWaitTimeout { get; set; } = TimeSpan.FromSeconds(3);

    // Operations (subscriptions, and queries still running) one connection may have at once.
    public int MaxSubscriptionsPerConnection { get; set; } = 100;

    // Results of one subscription waiting to be written to the socket: a client that falls
    // further behind is disconnected (1013) instead of growing the server's memory.
    public int MaxQueuedMessages { get; set; } = 100;
}
