using System.Text.Json;
using OrderDapr.Contracts;
using OrderDapr.Query.Tests.Fixtures;
using static OrderDapr.Query.Tests.Fixtures.Given;

namespace OrderDapr.Query.Tests;

// The schema executed in-process by DocumentExecuter over an in-memory read model.
public sealed class GraphQLSchemaTests : IDisposable
{
    private readonly GraphQLFixture graphQL = new();

    public void Dispose() => graphQL.Dispose();

    private const string AllOrderFields =
        "id customerId status total currency items { productId quantity unitPrice } version createdAt updatedAt paymentId trackingNumber cancellationReason";

    private static void AssertNoErrors(JsonElement response) =>
        Assert.False(response.TryGetProperty("errors", out var errors), errors.ToString());

    private static string[] Messages(JsonElement response) =>
        response.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("message").GetString()!).ToArray();

    [Fact]
    public async Task An_order_is_served_with_numbers_as_numbers_and_times_as_ISO_8601()
    {
        await graphQL.Given(DeliveredOrder("order-1")[..3]);

        var response = await graphQL.Execute($$"""{ order(id: "order-1") { {{AllOrderFields}} } }""");

        AssertNoErrors(response);
        var order = response.GetProperty("data").GetProperty("order");
        Assert.Equal("order-1", order.GetProperty("id").GetString());
        Assert.Equal("customer-1", order.GetProperty("customerId").GetString());
        Assert.Equal("SHIPPED", order.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Number, order.GetProperty("total").ValueKind);
        Assert.Equal(25.25m, order.GetProperty("total").GetDecimal());
        Assert.Equal("EUR", order.GetProperty("currency").GetString());
        Assert.Equal(3, order.GetProperty("version").GetInt32());
        Assert.Equal("2025-03-01T10:01:00Z", order.GetProperty("createdAt").GetString());
        Assert.Equal("2025-03-01T10:03:00Z", order.GetProperty("updatedAt").GetString());
        Assert.Equal("payment-1", order.GetProperty("paymentId").GetString());
        Assert.Equal("tracking-1", order.GetProperty("trackingNumber").GetString());
        Assert.Equal(JsonValueKind.Null, order.GetProperty("cancellationReason").ValueKind);
        var item = order.GetProperty("items")[0];
        Assert.Equal("product-1", item.GetProperty("productId").GetString());
        Assert.Equal(2, item.GetProperty("quantity").GetInt32());
        Assert.Equal(10.50m, item.GetProperty("unitPrice").GetDecimal());
    }

    [Fact]
    public async Task An_unknown_order_is_null()
    {
        var response = await graphQL.Execute("""{ order(id: "nope") { id } }""");

        AssertNoErrors(response);
        Assert.Equal(JsonValueKind.Null, response.GetProperty("data").GetProperty("order").ValueKind);
    }

    [Fact]
    public async Task An_order_known_only_from_events_that_overtook_OrderCreated_is_null()
    {
        await graphQL.Given(DeliveredOrder("order-1")[1..]);

        var response = await graphQL.Execute("""{ order(id: "order-1") { id } }""");

        Assert.Equal(JsonValueKind.Null, response.GetProperty("data").GetProperty("order").ValueKind);
    }

    [Fact]
    public async Task Orders_page_newest_first_through_endCursor()
    {
        await graphQL.Given([.. Enumerable.Range(1, 3).Select(i => Event($"order-{i}", 1, Created()))]);
        const string Query = """
            query ($after: String) {
              orders(customerId: "customer-1", first: 2, after: $after) {
                totalCount
                edges { cursor node { id status } }
                pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
              }
            }
            """;

        var first = (await graphQL.Execute(Query)).GetProperty("data").GetProperty("orders");
        var endCursor = first.GetProperty("pageInfo").GetProperty("endCursor").GetString();
        var second = (await graphQL.Execute(Query, JsonSerializer.Serialize(new { after = endCursor }))).GetProperty("data").GetProperty("orders");

        Assert.Equal(3, first.GetProperty("totalCount").GetInt32());
        Assert.Equal(["order-3", "order-2"], first.GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("node").GetProperty("id").GetString()));
        Assert.True(first.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());
        Assert.Equal(first.GetProperty("edges")[1].GetProperty("cursor").GetString(), endCursor);
        Assert.Equal(["order-1"], second.GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("node").GetProperty("id").GetString()));
        Assert.False(second.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());
    }

    [Fact]
    public async Task Orders_filtered_by_status_count_only_that_status()
    {
        await graphQL.Given(
            Event("order-1", 1, Created()), Event("order-1", 2, new OrderPaid(1m, "payment-1")),
            Event("order-2", 1, Created()),
            Event("order-3", 1, Created()), Event("order-3", 2, new OrderPaid(1m, "payment-3")));

        var response = await graphQL.Execute(
            """query ($status: OrderStatus) { orders(customerId: "customer-1", status: $status) { totalCount edges { node { id } } } }""",
            """{ "status": "PAID" }""");

        AssertNoErrors(response);
        var orders = response.GetProperty("data").GetProperty("orders");
        Assert.Equal(2, orders.GetProperty("totalCount").GetInt32());
        Assert.Equal(["order-3", "order-1"], orders.GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("node").GetProperty("id").GetString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData(", first: null")]
    public async Task Orders_come_twenty_at_a_time_by_default(string first)
    {
        await graphQL.Given([.. Enumerable.Range(1, 25).Select(i => Event($"order-{i}", 1, Created()))]);

        var response = await graphQL.Execute($$"""{ orders(customerId: "customer-1"{{first}}) { edges { cursor } pageInfo { hasNextPage } } }""");

        AssertNoErrors(response);
        Assert.Equal(20, response.GetProperty("data").GetProperty("orders").GetProperty("edges").GetArrayLength());
    }

    [Fact]
    public async Task A_customer_without_orders_has_an_empty_connection()
    {
        var response = await graphQL.Execute("""{ orders(customerId: "nobody") { totalCount edges { cursor } pageInfo { hasNextPage endCursor } } }""");

        AssertNoErrors(response);
        var orders = response.GetProperty("data").GetProperty("orders");
        Assert.Equal(0, orders.GetProperty("totalCount").GetInt32());
        Assert.Equal(0, orders.GetProperty("edges").GetArrayLength());
        Assert.False(orders.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());
    }

    [Theory]
    [InlineData(101)]
    [InlineData(-1)]
    public async Task Asking_for_more_than_100_orders_or_a_negative_number_is_an_error(int first)
    {
        var response = await graphQL.Execute($$"""{ orders(customerId: "customer-1", first: {{first}}) { totalCount } }""");

        Assert.Equal(["first must be between 0 and 100."], Messages(response));
        Assert.Equal(JsonValueKind.Null, response.GetProperty("data").ValueKind);
    }

    [Fact]
    public async Task A_cursor_that_is_not_ours_is_an_error()
    {
        var response = await graphQL.Execute("""{ orders(customerId: "customer-1", after: "bm9wZQ==") { totalCount } }""");

        Assert.Equal(["after is not a cursor of this connection."], Messages(response));
    }

    [Fact]
    public async Task Several_large_connections_in_one_request_exceed_the_complexity_limit()
    {
        var connection = $$"""orders(customerId: "customer-1", first: 100) { edges { node { {{AllOrderFields}} } } }""";

        var one = await graphQL.Execute($"{{ a: {connection} }}");
        var three = await graphQL.Execute($"{{ a: {connection} b: {connection} c: {connection} }}");

        AssertNoErrors(one);
        Assert.Contains(Messages(three), m => m.Contains("complexity", StringComparison.OrdinalIgnoreCase));
        Assert.False(three.TryGetProperty("data", out _));
    }

    [Fact]
    public async Task A_repeated_query_is_checked_again_for_complexity_with_its_new_variables()
    {
        var connection = $$"""orders(customerId: "customer-1", first: $n) { edges { node { {{AllOrderFields}} } } }""";
        var query = $"query($n: Int) {{ a: {connection} b: {connection} c: {connection} }}";

        var small = await graphQL.Execute(query, """{"n": 1}""");
        var large = await graphQL.Execute(query, """{"n": 100}""");

        AssertNoErrors(small);
        Assert.Contains(Messages(large), m => m.Contains("complexity", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task An_invalid_query_is_refused_every_time_it_is_sent()
    {
        var first = await graphQL.Execute("{ order(id: \"order-1\") { nope } }");
        var again = await graphQL.Execute("{ order(id: \"order-1\") { nope } }");

        Assert.Equal(Messages(first), Messages(again));
        Assert.Contains(Messages(again), m => m.Contains("nope", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Introspection_stays_within_the_limits()
    {
        var response = await graphQL.Execute(IntrospectionQuery);

        AssertNoErrors(response);
    }

    // The query GraphiQL and most clients send.
    private const string IntrospectionQuery = """
        query IntrospectionQuery {
          __schema {
            queryType { name } mutationType { name } subscriptionType { name }
            types { ...FullType }
            directives { name description locations args { ...InputValue } }
          }
        }
        fragment FullType on __Type {
          kind name description
          fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
          inputFields { ...InputValue }
          interfaces { ...TypeRef }
          enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
          possibleTypes { ...TypeRef }
        }
        fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
        fragment TypeRef on __Type {
          kind name
          ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
        }
        """;
}
