using GraphQL;
using GraphQL.Types;
using OrderDapr.Query.ReadModel;

namespace OrderDapr.Query.GraphQL;

// Code-first schema over the read model. Resolvers take OrderQueries from the request's
// services, so the schema is a singleton.
public sealed class OrderSchema : Schema
{
    public OrderSchema()
    {
        Query = new OrderQueryType();
        this.WithIntrospectionComplexityImpact(0); // tools may introspect; it costs no store reads
    }
}

public sealed class OrderQueryType : ObjectGraphType
{
    public const int DefaultFirst = 20;
    public const int MaxFirst = 100;

    public OrderQueryType()
    {
        Name = "Query";

        Field<OrderType, OrderView?>("order")
            .Description("The order, or null when no order with this id was created.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(context => Queries(context).GetOrderAsync(context.GetArgument<string>("id"), context.CancellationToken));

        Field<NonNullGraphType<OrderConnectionType>, OrderConnection>("orders")
            .Description("A customer's orders, newest first.")
            .Argument<NonNullGraphType<StringGraphType>>("customerId")
            .Argument<OrderStatusType>("status")
            .Argument<IntGraphType>("first", argument => argument.DefaultValue = DefaultFirst)
            .Argument<StringGraphType>("after")
            .ResolveAsync(async context =>
            {
                var first = context.GetArgument("first", DefaultFirst);
                if (first is < 0 or > MaxFirst)
                {
                    throw new ExecutionError($"first must be between 0 and {MaxFirst}.") { Code = "BAD_USER_INPUT" };
                }

                OrderCursor? after = null;
                if (context.GetArgument<string?>("after") is { } cursor && !OrderCursor.TryDecode(cursor, out after))
                {
                    throw new ExecutionError("after is not a cursor of this connection.") { Code = "BAD_USER_INPUT" };
                }

                return await Queries(context).GetCustomerOrdersAsync(
                    context.GetArgument<string>("customerId"),
                    context.GetArgument<OrderStatus?>("status"),
                    first,
                    after,
                    context.CancellationToken);
            });
    }

    private static OrderQueries Queries(IResolveFieldContext context) =>
        context.RequestServices!.GetRequiredService<OrderQueries>();
}

public sealed class OrderStatusType : EnumerationGraphType<OrderStatus>
{
    public OrderStatusType() => Name = "OrderStatus";
}

public sealed class OrderType : ObjectGraphType<OrderView>
{
    public OrderType()
    {
        Name = "Order";
        Field<NonNullGraphType<IdGraphType>, string>("id").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<StringGraphType>, string>("customerId").Resolve(c => c.Source.CustomerId!);
        Field<NonNullGraphType<OrderStatusType>, OrderStatus>("status").Resolve(c => c.Source.Status!.Value);
        Field<NonNullGraphType<DecimalGraphType>, decimal>("total").Resolve(c => c.Source.Total);
        Field<NonNullGraphType<StringGraphType>, string>("currency").Resolve(c => c.Source.Currency!);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<OrderItemType>>>, IReadOnlyList<OrderItemView>>("items")
            .WithComplexityImpact(fieldImpact: 1, childImpactMultiplier: 5) // a few lines per order, not the default 20
            .Resolve(c => c.Source.Items);
        Field<NonNullGraphType<IntGraphType>, int>("version").Resolve(c => c.Source.Version);

        // DateTimeGraphType writes a UTC DateTime as ISO-8601 with a Z.
        Field<NonNullGraphType<DateTimeGraphType>, DateTime>("createdAt").Resolve(c => (c.Source.CreatedAt ?? default).UtcDateTime);
        Field<NonNullGraphType<DateTimeGraphType>, DateTime>("updatedAt").Resolve(c => (c.Source.UpdatedAt ?? default).UtcDateTime);
        Field<StringGraphType, string?>("paymentId").Resolve(c => c.Source.PaymentId);
        Field<StringGraphType, string?>("trackingNumber").Resolve(c => c.Source.TrackingNumber);
        Field<StringGraphType, string?>("cancellationReason").Resolve(c => c.Source.CancellationReason);
    }
}

public sealed class OrderItemType : ObjectGraphType<OrderItemView>
{
    public OrderItemType()
    {
        Name = "OrderItem";
        Field<NonNullGraphType<StringGraphType>, string>("productId").Resolve(c => c.Source.ProductId);
        Field<NonNullGraphType<IntGraphType>, int>("quantity").Resolve(c => c.Source.Quantity);
        Field<NonNullGraphType<DecimalGraphType>, decimal>("unitPrice").Resolve(c => c.Source.UnitPrice);
    }
}

public sealed class OrderConnectionType : ObjectGraphType<OrderConnection>
{
    public OrderConnectionType()
    {
        Name = "OrderConnection";
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<OrderEdgeType>>>, IReadOnlyList<OrderEdge>>("edges").Resolve(c => c.Source.Edges);
        Field<NonNullGraphType<PageInfoType>, PageInfo>("pageInfo").Resolve(c => c.Source.PageInfo);
        Field<NonNullGraphType<IntGraphType>, int>("totalCount")
            .Description("Orders of the customer, or of the customer in `status` when filtered.")
            .Resolve(c => c.Source.TotalCount);
    }
}

public sealed class OrderEdgeType : ObjectGraphType<OrderEdge>
{
    public OrderEdgeType()
    {
        Name = "OrderEdge";
        Field<NonNullGraphType<StringGraphType>, string>("cursor").Resolve(c => c.Source.Cursor);
        Field<NonNullGraphType<OrderType>, OrderView>("node").Resolve(c => c.Source.Node);
    }
}

public sealed class PageInfoType : ObjectGraphType<PageInfo>
{
    public PageInfoType()
    {
        Name = "PageInfo";
        Field<NonNullGraphType<BooleanGraphType>, bool>("hasNextPage").Resolve(c => c.Source.HasNextPage);
        Field<NonNullGraphType<BooleanGraphType>, bool>("hasPreviousPage")
            .Description("Always false: the connection pages forward only.")
            .Resolve(c => c.Source.HasPreviousPage);
        Field<StringGraphType, string?>("startCursor").Resolve(c => c.Source.StartCursor);
        Field<StringGraphType, string?>("endCursor").Resolve(c => c.Source.EndCursor);
    }
}
