using System.Net.WebSockets;
using System.Text.Json;
using OrderDapr.Query.GraphQL.Subscriptions;
using OrderDapr.Query.Tests.Fixtures;
using static OrderDapr.Query.Tests.Fixtures.Given;

namespace OrderDapr.Query.Tests;

// graphql-transport-ws (enisdenjo/graphql-ws PROTOCOL.md) as /graphql speaks it, over a real
// WebSocket on loopback: the handshake, the close codes of each protocol error, ping and pong,
// and the life of an operation from `subscribe` to its end.
public sealed class GraphQLWebSocketProtocolTests
{
    private const string OrderChanged = "subscription ($id: ID!) { orderChanged(id: $id) { id status version } }";

    private static readonly TimeSpan InitWait = TimeSpan.FromSeconds(7);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(20);

    // Distinct waits, so that the test knows which timer the service armed.
    private static Task<QueryHost> StartAsync(params (string Key, string Value)[] settings)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Subscriptions:ConnectionInitWaitTimeout"] = InitWait.ToString(),
            ["Subscriptions:KeepAlive"] = KeepAlive.ToString(),
        };
        foreach (var (key, value) in settings)
        {
            configuration[key] = value;
        }

        return QueryHost.StartAsync(settings: configuration);
    }

    // A subscriber of a customer's orders (MaxQueuedMessages 5) that reads nothing while orders are
    // projected: once the socket's buffers are full, results queue up in the service, until it logs
    // that the subscriber fell behind.
    private static async Task<GraphQLWsClient> FallenBehindAsync(QueryHost host)
    {
        var client = await GraphQLWsClient.ConnectAsync(host, receiveBuffer: 1024);
        await client.InitAsync();
        await client.SubscribeAsync("1", "subscription { customerOrdersChanged(customerId: \"customer-1\") { id customerId status total currency version items { productId quantity unitPrice } } }");
        await host.WatchingAsync(1);
        for (var batch = 0; !host.Logs.Entries.Any(e => e.Message.Contains("fell 5 results behind", StringComparison.Ordinal)); batch++)
        {
            Assert.True(batch < 400, "The service never noticed that the subscriber fell behind");
            await host.ProjectAsync([.. Enumerable.Range(batch * 250, 250).Select(i => Event($"order-{i}", 1, Created(), at: T0.AddSeconds(i)))]);
        }

        return client;
    }

    private static async Task<GraphQLWsClient> InitialisedAsync(QueryHost host)
    {
        var client = await GraphQLWsClient.ConnectAsync(host);
        await client.InitAsync();
        return client;
    }

    // The socket stays open: a ping is still answered.
    private static async Task AssertStillOpenAsync(GraphQLWsClient client) => await client.RoundTripAsync();

    [Fact]
    public async Task A_client_asking_for_graphql_transport_ws_gets_it_and_an_ack_for_its_connection_init()
    {
        await using var host = await StartAsync();
        await using var client = await GraphQLWsClient.ConnectAsync(host);

        await client.SendAsync(new { type = "connection_init", payload = new { } });
        var ack = await client.ExpectAsync("connection_ack");

        Assert.Equal(GraphQLWebSocketEndpoint.Subprotocol, client.Socket.SubProtocol);
        Assert.False(ack.TryGetProperty("id", out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("graphql-ws")] // subscriptions-transport-ws, retired
    public async Task A_client_without_the_subprotocol_is_told_so_with_4406(string? subprotocol)
    {
        await using var host = await StartAsync();
        await using var client = await GraphQLWsClient.ConnectAsync(host, subprotocol);

        var (code, reason) = await client.ExpectCloseAsync();

        Assert.Null(client.Socket.SubProtocol);
        Assert.Equal(CloseCodes.SubprotocolNotAcceptable, code);
        Assert.Equal("Subprotocol not acceptable", reason);
    }

    [Fact]
    public async Task A_socket_without_connection_init_within_the_wait_is_closed_with_4408()
    {
        await using var host = await StartAsync();
        await using var client = await GraphQLWsClient.ConnectAsync(host);
        await host.Time.ArmedAsync(InitWait);
        await AssertStillOpenAsync(client);

        host.Time.Advance(InitWait);

        Assert.Equal((CloseCodes.ConnectionInitialisationTimeout, "Connection initialisation timeout"), await client.ExpectCloseAsync());
    }

    [Fact]
    public async Task A_socket_initialised_in_time_stays_open_after_the_wait()
    {
        await using var host = await StartAsync();
        await using var client = await GraphQLWsClient.ConnectAsync(host);
        await host.Time.ArmedAsync(InitWait);
        await client.InitAsync();

        host.Time.Advance(InitWait);

        Assert.Empty(await client.RoundTripAsync());
    }

    [Fact]
    public async Task A_second_connection_init_closes_the_socket_with_4429()
    {
        await using var host = await StartAsync();
        await using var client = await InitialisedAsync(host);

        await client.SendAsync(new { type = "connection_init" });

        Assert.Equal((CloseCodes.TooManyInitialisationRequests, "Too many initialisation requests"), await client.ExpectCloseAsync());
    }

    [Fact]
    public async Task A_subscribe_before_the_ack_closes_the_socket_with_4401()
    {
        await using var host = await StartAsync();
        await using var client = await GraphQLWsClient.ConnectAsync(host);

        await client.SubscribeAsync("1", OrderChanged, new { id = "order-1" });

        Assert.Equal((CloseCodes.Unauthorized, "Unauthorized"), await client.ExpectCloseAsync());
    }

    [Fact]
    public async Task A_subscribe_with_the_id_of_a_running_operation_closes_the_socket_with_4409()
    {
        await using var host = await StartAsync();
        await using var client = await InitialisedAsync(host);

        await client.SubscribeAsync("1", OrderChanged, new { id = "order-1" });
        await client.SubscribeAsync("1", OrderChanged, new { id = "order-2" });

        Assert.Equal((CloseCodes.SubscriberAlreadyExists, "Subscriber for 1 already exists"), await client.ExpectCloseAsync());
    }

    [Theory]
    [InlineData("this is not JSON")]
    [InlineData("[\"connection_init\"]")]
    [InlineData("""{"payload":{}}""")]
    [InlineData("""{"type":"next","id":"1","payload":{}}""")]
    [InlineData("""{"type":"connection_ack"}""")]
    [InlineData("""{"type":"ping","payload":"not an object"}""")]
    [InlineData("""{"type":"subscribe","payload":{"query":"{ __typename }"}}""")]
    [InlineData("""{"type":"subscribe","id":"1","payload":{"variables":{}}}""")]
    [InlineData("""{"type":"subscribe","id":"1","payload":{"query":"{ __typename }","variables":[1]}}""")]
    [InlineData("""{"type":"complete"}""")]
    public async Task An_invalid_message_closes_the_socket_with_4400(string message)
    {
        await using var host = await StartAsync();
        await using var client = await InitialisedAsync(host);

        await client.SendTextAsync(message);

        var (code, reason) = await client.ExpectCloseAsync();
        Assert.Equal(CloseCodes.BadRequest, code);
        Assert.False(string.IsNullOrEmpty(reason));
    }

    [Fact]
    public async Task A_binary_message_closes_the_socket_with_4400()
    {
        await using var host = await StartAsync();
        await using var client = await InitialisedAsync(host);

        await client.Socket.SendAsync("""{"type":"ping"}"""u8.ToArray(), WebSocketMessageType.Binary, endOfMessage: true, TestContext.Current.CancellationToken);

        Assert.Equal((CloseCodes.BadRequest, "Messages are JSON text, not binary"), await client.ExpectCloseAsync());
    }

    [Fact]
    public async Task A_message_over_the_size_limit_closes_the_socket_with_1009()
    {
        await using var host = await StartAsync();
        await using var client = await InitialisedAsync(host);

        await client.SendAsync(new { type = "ping", payload = new { padding = new string('x', GraphQLWsConnection.MaxMessageBytes) } });

        Assert.Equal(CloseCodes.MessageTooBig, (await client.ExpectCloseAsync()).Code);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("""{}""")]
    [InlineData("""{"token":"wrong"}""")]
    [InlineData("""{"token":42}""")]
    [InlineData("""{"Token":"s3cret"}""")]
    public async Task Without_the_configured_token_in_connection_init_the_socket_is_closed_with_4403(string? payload)
    {
        await using var host = await StartAsync(("Subscriptions:Token", "s3cret"));
        await using var client = await GraphQLWsClient.ConnectAsync(host);

        await client.SendTextAsync(payload is null ? """{"type":"connection_init"}""" : $$"""{"type":"connection_init","payload":{{payload}}}""");

        Assert.Equal((CloseCodes.Forbidden, "Forbidden"), await client.ExpectCloseAsync());
    }

    [Fact]
    public async Task With_the_configured_token_in_connection_init_the_connection_is_acknowledged()
    {
        await using var host = await StartAsync(("Subscriptions:Token", "s3cret"));
        await using var client = await GraphQLWsClient.ConnectAsync(host);

        await client.InitAsync(new { token = "s3cret" });

        await client.SubscribeAsync("q", "{ __typename }");
        Assert.Equal("Query", (await client.ExpectAsync("next")).GetProperty("payload").GetProperty("data").GetProperty("__typename").GetString());
    }

    [Fact]
    public async Task A_ping_is_answered_with_a_pong_carrying_its_payload_before_and_after_the_ack()
    {
        await using var host = await StartAsync();
        await using var client = await GraphQLWsClient.ConnectAsync(host);

        await client.SendAsync(new { type = "ping", payload = new { sent = "before" } });
        var before = await client.ExpectAsync("pong");
        await client.InitAsync();
        await client.SendAsync(new { type = "ping" });
        var after = await client.ExpectAsync("pong");

        Assert.Equal("before", before.GetProperty("payload").GetProperty("sent").GetString());
        Assert.False(after.TryGetProperty("payload", out var payload) && payload.ValueKind != JsonValueKind.Null, after.ToString());
    }

    [Fact]
    public async Task An_acknowledged_connection_is_pinged_every_keep_alive_period()
    {
        await using var host = await StartAsync();
        await using var client = await InitialisedAsync(host);
        await host.Time.ArmedAsync(KeepAlive);

        host.Time.Advance(KeepAlive);
        await client.ExpectAsync("ping");
        await client.SendAsync(new { type = "pong" });
        host.Time.Advance(KeepAlive);
        await client.ExpectAsync("ping");

        Assert.Empty(await client.RoundTripAsync());
    }

    [Fact]
    public async Task A_connection_not_yet_acknowledged_is_not_pinged()
    {
        await using var host = await StartAsync(("Subscriptions:ConnectionInitWaitTimeout", "00:01:00"));
        await using var client = await GraphQLWsClient.ConnectAsync(host);
        await host.Time.ArmedAsync(TimeSpan.FromMinutes(1));

        host.Time.Advance(KeepAlive);

        // The pong is the first message: no ping was queued before it.
        Assert.Empty(await client.RoundTripAsync());
    }

    [Fact]
    public async Task A_query_over_the_socket_is_answered_with_one_next_then_complete()
    {
        await using var host = await StartAsync();
        await host.ProjectAsync(Event("order-1", 1, Created()));
        await using var client = await InitialisedAsync(host);

        await client.SubscribeAsync("q1", "query ($id: ID!) { order(id: $id) { id status version } }", new { id = "order-1" });

        var next = await client.ExpectAsync("next");
        Assert.Equal("q1", next.GetProperty("id").GetString());
        var order = next.GetProperty("payload").GetProperty("data").GetProperty("order");
        Assert.Equal(("order-1", "CREATED", 1), (order.GetProperty("id").GetString(), order.GetProperty("status").GetString(), order.GetProperty("version").GetInt32()));
        var complete = await client.ExpectAsync("complete");
        Assert.Equal("q1", complete.GetProperty("id").GetString());

        // The id is free again once the operation completed.
        await client.SubscribeAsync("q1", "{ __typename }");
        await client.ExpectAsync("next");
        await client.ExpectAsync("complete");
    }

    [Fact]
    public async Task A_mutation_over_the_socket_is_answered_with_an_error_since_the_schema_has_no_mutations()
    {
        await using var host = await StartAsync();
        await using var client = await InitialisedAsync(host);

        await client.SubscribeAsync("m1", "mutation { cancelOrder(id: \"order-1\") }");

        var error = await client.ExpectAsync("error");
        Assert.Equal("m1", error.GetProperty("id").GetString());
        Assert.True(error.GetProperty("payload").GetArrayLength() > 0, error.ToString());
        await AssertStillOpenAsync(client);
    }

    [Theory]
    [InlineData("subscription { noSuchField }", "noSuchField")]
    [InlineData("subscription { orderChanged(id: \"order-1\") { id ", "Error parsing query")]
    [InlineData("subscription ($id: ID!) { orderChanged(id: $id) { id } }", "$id")]
    public async Task An_invalid_subscription_is_answered_with_an_error_message_and_the_connection_goes_on(string query, string mentioned)
    {
        await using var host = await StartAsync();
        await using var client = await InitialisedAsync(host);

        await client.SubscribeAsync("s1", query);

        var error = await client.ExpectAsync("error");
        Assert.Equal("s1", error.GetProperty("id").GetString());
        var messages = error.GetProperty("payload").EnumerateArray().Select(e => e.GetProperty("message").GetString()!).ToList();
        Assert.Contains(messages, m => m.Contains(mentioned, StringComparison.OrdinalIgnoreCase));

        // The failed operation is over: its id may be used again.
        await client.SubscribeAsync("s1", OrderChanged, new { id = "order-1" });
        await host.WatchingAsync(1);
        await AssertStillOpenAsync(client);
    }

    [Fact]
    public async Task Completing_a_subscription_stops_its_results_and_leaves_the_others_running()
    {
        await using var host = await StartAsync();
        await using var client = await InitialisedAsync(host);
        await client.SubscribeAsync("stopped", OrderChanged, new { id = "order-1" });
        await client.SubscribeAsync("running", OrderChanged, new { id = "order-1" });
        await host.WatchingAsync(2);

        await client.SendAsync(new { type = "complete", id = "stopped" });
        var beforeChange = await client.RoundTripAsync();
        await host.WatchingAsync(1);
        await host.ProjectAsync(Event("order-1", 1, Created()));

        // Quiet once the change reached the running operation and a ping made the round trip after it.
        var next = await client.ExpectAsync("next");
        var afterChange = await client.RoundTripAsync();
        Assert.Equal("running", next.GetProperty("id").GetString());
        Assert.Empty(beforeChange);
        Assert.Empty(afterChange);
        Assert.Equal(1, host.Hub.Watching);
    }

    [Fact]
    public async Task Completing_an_unknown_operation_is_ignored()
    {
        await using var host = await StartAsync();
        await using var client = await InitialisedAsync(host);

        await client.SendAsync(new { type = "complete", id = "never-subscribed" });

        Assert.Empty(await client.RoundTripAsync());
    }

    [Fact]
    public async Task An_operation_past_the_per_connection_limit_fails_alone()
    {
        await using var host = await StartAsync(("Subscriptions:MaxSubscriptionsPerConnection", "1"));
        await using var client = await InitialisedAsync(host);
        await client.SubscribeAsync("1", OrderChanged, new { id = "order-1" });

        await client.SubscribeAsync("2", OrderChanged, new { id = "order-2" });

        var error = await client.ExpectAsync("error");
        Assert.Equal("2", error.GetProperty("id").GetString());
        Assert.Equal("TOO_MANY_SUBSCRIPTIONS", error.GetProperty("payload")[0].GetProperty("extensions").GetProperty("code").GetString());
        await host.ProjectAsync(Event("order-1", 1, Created()));
        Assert.Equal("1", (await client.ExpectAsync("next")).GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_subscriber_that_falls_too_far_behind_is_closed_with_1013_and_its_subscriptions_end()
    {
        await using var host = await StartAsync(("Subscriptions:MaxQueuedMessages", "5"));
        await using var client = await FallenBehindAsync(host);

        // Reading again, it gets what was on the way, then the close.
        WsFrame frame;
        while ((frame = await client.ReceiveAsync()).CloseCode is null)
        {
            Assert.Equal("next", frame.Type);
        }

        Assert.Equal(CloseCodes.TryAgainLater, frame.CloseCode);
        Assert.Equal("Subscriber 1 fell more than 5 results behind", frame.CloseReason);
        await host.WatchingAsync(0);
    }

    [Fact]
    public async Task A_subscriber_that_stops_reading_altogether_is_let_go_after_the_close_handshake()
    {
        await using var host = await StartAsync(("Subscriptions:MaxQueuedMessages", "5"));
        await using var client = await FallenBehindAsync(host);

        // The close frame waits behind what the client does not read: the client has 5 s to answer it.
        await host.Time.ArmedAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, host.Hub.Watching);
        host.Time.Advance(TimeSpan.FromSeconds(5));

        await host.WatchingAsync(0);
    }

    [Fact]
    public async Task A_client_that_goes_away_leaves_no_subscription_behind()
    {
        await using var host = await StartAsync();
        var client = await InitialisedAsync(host);
        await client.SubscribeAsync("1", OrderChanged, new { id = "order-1" });
        await client.SubscribeAsync("2", "subscription { customerOrdersChanged(customerId: \"customer-1\") { id } }");
        await host.WatchingAsync(2);

        client.Socket.Abort();
        client.Socket.Dispose();

        await host.WatchingAsync(0);
    }
}
