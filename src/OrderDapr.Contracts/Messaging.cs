namespace OrderDapr.Contracts;

// Names both services and the component YAML agree on. Changing one is a deployment change.
public static class Messaging
{
    public const string PubSub = "orderpubsub";
    public const string OrdersTopic = "orders";
    public const string EventStore = "eventstore";
    public const string ReadModelStore = "readmodel";
}
