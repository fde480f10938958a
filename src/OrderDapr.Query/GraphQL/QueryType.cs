using System.Globalization;
using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Types;
using OrderDapr.Query.ReadModel;

namespace OrderDapr.Query.GraphQL;

public sealed class QueryType : ObjectGraphType
{
    public const int DefaultFirst = 20;
    public const int MaxFirst = 100;

    public QueryType()
    {
        Name = "Query";
        Description = string.Create(CultureInfo.InvariantCulture,
            $"Reads of the order read model. Every request is refused when it nests fields more than {GraphQLExecution.MaxDepth} levels deep or its " +
            $"complexity exceeds {GraphQLExecution.MaxComplexity:N0} (about one point per field, the fields under a connection multiplied by " +
            $"`first`; one `orders(first: 100)` with every field costs about 3,000).");

        Field<OrderType, IDataLoaderResult<OrderView?>>("order")
            .Description("The order, or null when no order with this id was created. The `order` fields of one request are read together.")
            .Argument<NonNullGraphType<IdGraphType>>("id", "The order's id, as order-command returned it.")
            .Argument<IntGraphType>("atLeastVersion",
                "Read your own write: the version a command returned. The answer waits until the read model holds at least this version " +
                "of the order, at most a few seconds (ReadYourWrites:MaxWait, 3 s unless configured, never more than 10 s); after that it " +
                "carries what the read model holds and names this field in `extensions.stale`.")
            .Resolve(context => OrderRequestContext.Of(context).Orders.Load(context));

        Field<NonNullGraphType<OrderConnectionType>, OrderConnection>("orders")
            .Description("A customer's orders, newest first.")
            .Argument<NonNullGraphType<StringGraphType>>("customerId", "The customer whose orders to list.")
            .Argument<OrderStatusType>("status", "Only orders in this status.")
            .Argument<DateTimeGraphType>("placedAfter", "Only orders placed at or after this time.")
            .Argument<DateTimeGraphType>("placedBefore", "Only orders placed before this time.")
            .Argument<IntGraphType>("first", argument =>
            {
                argument.Description = $"How many orders, from 0 to {MaxFirst}.";
                argument.DefaultValue = DefaultFirst;
            })
            .Argument<StringGraphType>("after", "Continue below this cursor (a page's `endCursor`); pass the same filters again.")
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

                var filter = new OrderFilter(
                    context.GetArgument<OrderStatus?>("status"),
                    Utc(context.GetArgument<DateTime?>("placedAfter")),
                    Utc(context.GetArgument<DateTime?>("placedBefore")));
                return await context.RequestServices!.GetRequiredService<OrderQueries>().GetCustomerOrdersAsync(
                    context.GetArgument<string>("customerId"), filter, first, after, context.CancellationToken);
            });
    }

    // DateTimeGraphType reads a time with an offset as UTC, and one without as UTC.
    private static DateTimeOffset? Utc(DateTime? time) => time is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;
}
