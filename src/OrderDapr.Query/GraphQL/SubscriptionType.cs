using GraphQL;
using GraphQL.Types;
using OrderDapr.Query.Changes;
using OrderDapr.Query.ReadModel;

namespace OrderDapr.Query.GraphQL;

// Fed by the change feed (OrderChangeHub): whichever replica projected a change, the subscribers
// of every replica get it.
public sealed class SubscriptionType : ObjectGraphType
{
    public SubscriptionType()
    {
        Name = "Subscription";
        Description = "Changes of the read model as they are committed, over WebSocket at /graphql (subprotocol graphql-transport-ws).";

        Field<OrderType, OrderView>("orderChanged")
            .Description("The order as the read model holds it, then each time the read model commits a new version of it: versions in " +
                         "increasing order, a version that was skipped (committed in one batch with the next) is not sent. For an order " +
                         "not projected yet, the first message is its first version.")
            .Argument<NonNullGraphType<IdGraphType>>("id", "The order's id.")
            .ResolveStream(context => new OrderWatch(
                Hub(context),
                context.RequestServices!.GetRequiredService<OrderQueries>(),
                context.GetArgument<string>("id"),
                context.RequestServices!.GetRequiredService<ILogger<OrderWatch>>()));

        Field<OrderType, OrderView>("customerOrdersChanged")
            .Description("Each order of the customer each time the read model commits a new version of it, including orders placed " +
                         "from now on: the versions of each order in increasing order.")
            .Argument<NonNullGraphType<StringGraphType>>("customerId", "The customer whose orders to follow.")
            .ResolveStream(context => Hub(context).CustomerChanges(context.GetArgument<string>("customerId")));
    }

    private static OrderChangeHub Hub(IResolveFieldContext context) => context.RequestServices!.GetRequiredService<OrderChangeHub>();
}
