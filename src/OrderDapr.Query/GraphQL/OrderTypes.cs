using GraphQL;
using GraphQL.Types;
using OrderDapr.Query.ReadModel;

namespace OrderDapr.Query.GraphQL;

public sealed class OrderType : ObjectGraphType<OrderView>
{
    public OrderType()
    {
        Name = "Order";
        Description = "An order as the read model holds it: the fold of its events up to `version`.";
        Field<NonNullGraphType<IdGraphType>, string>("id").Description("The order's id, as order-command returned it.").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<StringGraphType>, string>("customerId").Description("The customer who placed it.").Resolve(c => c.Source.CustomerId!);
        Field<NonNullGraphType<OrderStatusType>, OrderStatus>("status").Description("Where the order is in its lifecycle.").Resolve(c => c.Source.Status!.Value);
        Field<NonNullGraphType<DecimalType>, decimal>("total").Description("The sum of quantity × unitPrice over the items, in `currency`.").Resolve(c => c.Source.Total);
        Field<NonNullGraphType<StringGraphType>, string>("currency").Description("The ISO 4217 code of the amounts, e.g. EUR.").Resolve(c => c.Source.Currency!);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<OrderItemType>>>, IReadOnlyList<OrderItemView>>("items")
            .Description("The lines of the order, as placed.")
            .WithComplexityImpact(fieldImpact: 1, childImpactMultiplier: 5) // a few lines per order, not the default 20
            .Resolve(c => c.Source.Items);
        Field<NonNullGraphType<IntGraphType>, int>("version")
            .Description("How many events of the order's stream the read model has applied. A command answers with the version it " +
                         "produced: pass it to `order(atLeastVersion:)` to read your own write.")
            .Resolve(c => c.Source.Version);

        // DateTimeGraphType writes a UTC DateTime as ISO-8601 with a Z.
        Field<NonNullGraphType<DateTimeGraphType>, DateTime>("createdAt").Description("When the order was placed (UTC).")
            .Resolve(c => (c.Source.CreatedAt ?? default).UtcDateTime);
        Field<NonNullGraphType<DateTimeGraphType>, DateTime>("updatedAt").Description("When its latest applied event occurred (UTC).")
            .Resolve(c => (c.Source.UpdatedAt ?? default).UtcDateTime);
        Field<StringGraphType, string?>("paymentId").Description("The payment's reference once paid, else null.").Resolve(c => c.Source.PaymentId);
        Field<StringGraphType, string?>("trackingNumber").Description("The shipment's tracking number once shipped, else null.").Resolve(c => c.Source.TrackingNumber);
        Field<StringGraphType, string?>("cancellationReason")
            .Description("Why it was cancelled (`payment-timeout` when the payment deadline passed), else null.")
            .Resolve(c => c.Source.CancellationReason);
    }
}

public sealed class OrderStatusType : EnumerationGraphType<OrderStatus>
{
    public OrderStatusType()
    {
        Name = "OrderStatus";
        Description = "The lifecycle of an order: CREATED, then PAID, SHIPPED, DELIVERED; CANCELLED from CREATED or PAID.";
        Values["CREATED"]!.Description = "Placed, waiting for its payment.";
        Values["PAID"]!.Description = "Paid, waiting to be shipped.";
        Values["SHIPPED"]!.Description = "Handed to the carrier.";
        Values["DELIVERED"]!.Description = "Delivered. Final.";
        Values["CANCELLED"]!.Description = "Cancelled on request or because its payment deadline passed. Final.";
    }
}

// GraphQL.NET's Decimal scalar, described.
public sealed class DecimalType : DecimalGraphType
{
    public DecimalType()
    {
        Name = "Decimal";
        Description = "An exact decimal number, written as a JSON number: amounts of money.";
    }
}

public sealed class OrderItemType : ObjectGraphType<OrderItemView>
{
    public OrderItemType()
    {
        Name = "OrderItem";
        Description = "A line of an order.";
        Field<NonNullGraphType<StringGraphType>, string>("productId").Description("The product's id.").Resolve(c => c.Source.ProductId);
        Field<NonNullGraphType<IntGraphType>, int>("quantity").Description("How many of the product.").Resolve(c => c.Source.Quantity);
        Field<NonNullGraphType<DecimalType>, decimal>("unitPrice").Description("The price of one, in the order's currency.").Resolve(c => c.Source.UnitPrice);
    }
}

public sealed class OrderConnectionType : ObjectGraphType<OrderConnection>
{
    public OrderConnectionType()
    {
        Name = "OrderConnection";
        Description = "A page of a customer's orders, newest first (a Relay connection).";
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<OrderEdgeType>>>, IReadOnlyList<OrderEdge>>("edges")
            .Description("The orders of this page, each with its cursor.")
            .Resolve(c => c.Source.Edges);
        Field<NonNullGraphType<PageInfoType>, PageInfo>("pageInfo").Description("Whether more orders follow, and where to continue.").Resolve(c => c.Source.PageInfo);
        Field<NonNullGraphType<IntGraphType>, int>("totalCount")
            .Description("Orders of the customer, or of the customer in `status` when filtered. The dates do not narrow it.")
            .Resolve(c => c.Source.TotalCount);
    }
}

public sealed class OrderEdgeType : ObjectGraphType<OrderEdge>
{
    public OrderEdgeType()
    {
        Name = "OrderEdge";
        Description = "An order in a page, with its position.";
        Field<NonNullGraphType<StringGraphType>, string>("cursor").Description("The order's position: pass it as `after` to continue below it.").Resolve(c => c.Source.Cursor);
        Field<NonNullGraphType<OrderType>, OrderView>("node").Description("The order.").Resolve(c => c.Source.Node);
    }
}

public sealed class PageInfoType : ObjectGraphType<PageInfo>
{
    public PageInfoType()
    {
        Name = "PageInfo";
        Description = "Where a page lies in the connection.";
        Field<NonNullGraphType<BooleanGraphType>, bool>("hasNextPage")
            .Description($"True when older orders may follow: ask again with `after: endCursor`. A request reads at most " +
                         $"{OrderQueries.DefaultMaxPagesPerRequest} index pages of {CustomerOrderIndex.PageSize} orders, so a page may hold fewer orders than `first` and still have a next page.")
            .Resolve(c => c.Source.HasNextPage);
        Field<NonNullGraphType<BooleanGraphType>, bool>("hasPreviousPage")
            .Description("Always false: the connection pages forward only.")
            .Resolve(c => c.Source.HasPreviousPage);
        Field<StringGraphType, string?>("startCursor").Description("The cursor of the first edge, null when there is none.").Resolve(c => c.Source.StartCursor);
        Field<StringGraphType, string?>("endCursor").Description("Where to continue: pass it as `after`. Null when nothing follows and the page is empty.").Resolve(c => c.Source.EndCursor);
    }
}
