using GraphQL;

namespace OrderDapr.Query.GraphQL;

// The user context of one execution (GraphQL.NET wants a dictionary): what the resolvers of one
// request share.
public sealed class OrderRequestContext(OrderLoader orders) : Dictionary<string, object?>
{
    public OrderLoader Orders { get; } = orders;

    public static OrderRequestContext Of(IResolveFieldContext context) => (OrderRequestContext)context.UserContext;
}
