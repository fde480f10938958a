using System.Net;
using System.Text.Json;
using OrderDapr.Contracts;
using OrderDapr.Query.Tests.Fixtures;
using static OrderDapr.Query.Tests.Fixtures.Given;

namespace OrderDapr.Query.Tests;

// order(id, atLeastVersion) over HTTP: a frontend that got version N from a command reads the
// order at N or later. The request waits for the change feed to bring the version, at most
// ReadYourWrites:MaxWait on the service's clock (a clock the test moves: nothing here depends on
// how fast the machine is), then answers with what the read model holds, marked stale.
public sealed class ReadYourWritesTests
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(2);

    private const string OrderAtLeast = "query ($id: ID!, $v: Int) { order(id: $id, atLeastVersion: $v) { id status version } }";

    private static Task<QueryHost> StartAsync() =>
        QueryHost.StartAsync(settings: new Dictionary<string, string?> { ["ReadYourWrites:MaxWait"] = MaxWait.ToString() });

    private static JsonElement Order(JsonElement body, string field = "order")
    {
        Assert.False(body.TryGetProperty("errors", out var errors), errors.ToString());
        return body.GetProperty("data").GetProperty(field);
    }

    private static int VersionOf(JsonElement body, string field = "order") => Order(body, field).GetProperty("version").GetInt32();

    private static bool IsStale(JsonElement body) =>
        body.TryGetProperty("extensions", out var extensions) && extensions.TryGetProperty("stale", out _);

    [Fact]
    public async Task A_version_the_read_model_holds_already_is_answered_without_waiting()
    {
        await using var host = await StartAsync();
        await host.ProjectAsync(Event("order-1", 1, Created()), Event("order-1", 2, new OrderPaid(25.25m, "payment-1")));

        // The clock never moves: an answer that needed the wait would never come.
        var (status, body) = await host.GraphQLAsync(OrderAtLeast, new { id = "order-1", v = 1 });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, VersionOf(body));
        Assert.False(IsStale(body));
        Assert.Equal(0, host.Hub.Watching);
    }

    [Fact]
    public async Task A_read_waits_for_the_version_and_answers_as_soon_as_it_is_projected()
    {
        await using var host = await StartAsync();
        await host.ProjectAsync(Event("order-1", 1, Created()));

        var read = host.GraphQLAsync(OrderAtLeast, new { id = "order-1", v = 2 });
        await host.Time.ArmedAsync(MaxWait); // it read version 1 and waits
        Assert.False(read.IsCompleted);
        await host.ProjectAsync(Event("order-1", 2, new OrderPaid(25.25m, "payment-1")));
        var (status, body) = await read;

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, VersionOf(body));
        Assert.Equal("PAID", Order(body).GetProperty("status").GetString());
        Assert.False(IsStale(body));
        await host.WatchingAsync(0); // the wait let go of the hub
    }

    [Fact]
    public async Task A_read_of_an_order_not_yet_created_answers_it_once_it_is_projected()
    {
        await using var host = await StartAsync();

        var read = host.GraphQLAsync(OrderAtLeast, new { id = "order-1", v = 1 });
        await host.Time.ArmedAsync(MaxWait);
        await host.ProjectAsync(Event("order-1", 1, Created()));
        var (_, body) = await read;

        Assert.Equal(1, VersionOf(body));
        Assert.False(IsStale(body));
    }

    [Fact]
    public async Task After_the_bounded_wait_a_read_answers_what_the_read_model_holds_marked_stale()
    {
        await using var host = await StartAsync();
        await host.ProjectAsync(Event("order-1", 1, Created()));

        var read = host.GraphQLAsync(OrderAtLeast, new { id = "order-1", v = 3 });
        await host.Time.ArmedAsync(MaxWait);
        host.Time.Advance(MaxWait);
        var (status, body) = await read;

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, VersionOf(body));
        var stale = Assert.Single(body.GetProperty("extensions").GetProperty("stale").EnumerateArray());
        Assert.Equal(["order"], stale.GetProperty("path").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("order-1", stale.GetProperty("id").GetString());
        Assert.Equal(3, stale.GetProperty("atLeastVersion").GetInt32());
        Assert.Equal(1, stale.GetProperty("version").GetInt32());
        await host.WatchingAsync(0);
    }

    [Fact]
    public async Task After_the_bounded_wait_an_order_never_created_is_null_marked_stale_without_a_version()
    {
        await using var host = await StartAsync();

        var read = host.GraphQLAsync(OrderAtLeast, new { id = "order-9", v = 1 });
        await host.Time.ArmedAsync(MaxWait);
        host.Time.Advance(MaxWait);
        var (_, body) = await read;

        Assert.Equal(JsonValueKind.Null, Order(body).ValueKind);
        var stale = Assert.Single(body.GetProperty("extensions").GetProperty("stale").EnumerateArray());
        Assert.Equal("order-9", stale.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, stale.GetProperty("version").ValueKind);
    }

    [Fact]
    public async Task A_version_committed_while_the_change_feed_was_down_is_found_when_the_wait_ends()
    {
        await using var host = await StartAsync();
        await host.ProjectAsync(Event("order-1", 1, Created()));
        await host.Broker.PublishedAsync(1);
        host.Broker.Failure = new InvalidOperationException("pub/sub unreachable");

        var read = host.GraphQLAsync(OrderAtLeast, new { id = "order-1", v = 2 });
        await host.Time.ArmedAsync(MaxWait);
        await host.ProjectAsync(Event("order-1", 2, new OrderPaid(25.25m, "payment-1")));
        await host.Broker.PublishedAsync(2); // failed: the waiting read is not told
        host.Time.Advance(MaxWait);
        var (_, body) = await read;

        Assert.Equal(2, VersionOf(body));
        Assert.False(IsStale(body));
    }

    [Fact]
    public async Task Each_field_of_a_request_waits_for_its_own_version_and_only_the_late_one_is_marked()
    {
        await using var host = await StartAsync();
        await host.ProjectAsync(Event("order-1", 1, Created()), Event("order-2", 1, Created()));

        var read = host.GraphQLAsync("""
            {
              mine: order(id: "order-1", atLeastVersion: 2) { version }
              other: order(id: "order-2", atLeastVersion: 2) { version }
            }
            """);
        await host.Time.ArmedAsync(MaxWait, count: 2);
        await host.ProjectAsync(Event("order-1", 2, new OrderPaid(25.25m, "payment-1")));
        await host.WatchingAsync(1); // `mine` has its version
        host.Time.Advance(MaxWait);
        var (_, body) = await read;

        Assert.Equal(2, VersionOf(body, "mine"));
        Assert.Equal(1, VersionOf(body, "other"));
        var stale = Assert.Single(body.GetProperty("extensions").GetProperty("stale").EnumerateArray());
        Assert.Equal(["other"], stale.GetProperty("path").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task A_read_its_client_gave_up_stops_waiting()
    {
        await using var host = await StartAsync();
        using var givenUp = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var read = host.GraphQLAsync(OrderAtLeast, new { id = "order-1", v = 1 }, givenUp.Token);
        await host.Time.ArmedAsync(MaxWait);
        await givenUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
        await host.WatchingAsync(0);
    }

    [Fact]
    public async Task A_negative_version_is_refused()
    {
        await using var host = await StartAsync();

        var (_, body) = await host.GraphQLAsync(OrderAtLeast, new { id = "order-1", v = -1 });

        var error = Assert.Single(body.GetProperty("errors").EnumerateArray());
        Assert.Equal("atLeastVersion must not be negative.", error.GetProperty("message").GetString());
        Assert.Equal("BAD_USER_INPUT", error.GetProperty("extensions").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("00:00:11")]
    public async Task A_wait_outside_its_bounds_keeps_the_service_from_starting(string maxWait)
    {
        var start = QueryHost.StartAsync(settings: new Dictionary<string, string?> { ["ReadYourWrites:MaxWait"] = maxWait });

        var refused = await Assert.ThrowsAnyAsync<Exception>(async () => await (await start).DisposeAsync());

        Assert.Contains("ReadYourWrites:MaxWait", refused.Message, StringComparison.Ordinal);
    }
}
