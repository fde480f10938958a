using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrderDapr.Query.ReadModel;
using OrderDapr.Query.Tests.Fixtures;
using static OrderDapr.Query.Tests.Fixtures.Deliveries;
using static OrderDapr.Query.Tests.Fixtures.Given;

namespace OrderDapr.Query.Tests;

// Who may call what, through the whole pipeline on loopback: the sidecar's routes only with the
// app API token, the admin routes only with the admin token, GraphQL and /healthz for everyone.
public sealed class AccessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> ProblemOf(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    public async Task A_forged_delivery_is_refused_with_a_problem_and_projects_nothing_until_the_sidecar_delivers_it(string? token)
    {
        await using var host = await QueryHost.StartAsync();
        var delivery = Bulk(CloudEvent(Event("order-1", 1, Created())));

        var forged = await host.Http.SendAsync(host.Request(HttpMethod.Post, "/events/orders", appToken: token, content: JsonBody(delivery)), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal("sidecar-only", (await ProblemOf(forged)).GetProperty("code").GetString());
        Assert.Equal(0, host.Store.Commits);
        Assert.Empty(host.Store.Keys);

        var delivered = await host.Http.SendAsync(host.Request(HttpMethod.Post, "/events/orders", appToken: QueryHost.AppToken, content: JsonBody(delivery)), Ct);

        Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        Assert.Equal(1, host.Store.Commits); // the forged one wrote nothing before or after
        Assert.Equal(OrderStatus.Created, host.Store.Peek<OrderView>(ReadModelKeys.Initial.Order("order-1"))?.Status);
    }

    [Theory]
    [InlineData("GET", "/dapr/subscribe")]
    [InlineData("POST", "/events/orders/unknown-type")]
    [InlineData("POST", "/events/orders-deadletter")]
    [InlineData("POST", "/events/order-changes")]
    public async Task Every_route_of_the_sidecar_refuses_a_caller_without_the_app_token(string method, string path)
    {
        await using var host = await QueryHost.StartAsync();
        var body = path.EndsWith("deadletter", StringComparison.Ordinal)
            ? CloudEvent(Event("order-1", 1, Created())).GetRawText()
            : Bulk(CloudEvent("ce-1", "{}", type: "OrderRefunded.v1"));

        var refused = await host.Http.SendAsync(host.Request(new HttpMethod(method), path, appToken: "wrong-token", content: JsonBody(body)), Ct);
        var accepted = await host.Http.SendAsync(host.Request(new HttpMethod(method), path, appToken: QueryHost.AppToken, content: JsonBody(body)), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("sidecar-only", (await ProblemOf(refused)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task Without_an_app_token_configured_the_sidecars_routes_stay_closed_and_the_start_warns()
    {
        await using var host = await QueryHost.StartAsync(appToken: "");

        var refused = await host.Http.SendAsync(
            host.Request(HttpMethod.Post, "/events/orders", appToken: "", content: JsonBody(Bulk(CloudEvent(Event("order-1", 1, Created()))))), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Empty(host.Store.Keys);
        Assert.Contains(host.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("APP_API_TOKEN is not set", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_sidecar_is_told_the_three_subscriptions()
    {
        await using var host = await QueryHost.StartAsync();

        var response = await host.Http.SendAsync(host.Request(HttpMethod.Get, "/dapr/subscribe", appToken: QueryHost.AppToken), Ct);

        var subscriptions = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).EnumerateArray().ToDictionary(s => s.GetProperty("topic").GetString()!);
        Assert.Equal(["order-changes", "orders", "orders-deadletter"], subscriptions.Keys.Order(StringComparer.Ordinal));
        var changes = subscriptions["order-changes"];
        Assert.Equal("orderchanges", changes.GetProperty("pubsubName").GetString());
        Assert.Equal("events/order-changes", changes.GetProperty("route").GetString()?.TrimStart('/'));
        Assert.False(changes.TryGetProperty("deadLetterTopic", out _));
        Assert.False(changes.TryGetProperty("bulkSubscribe", out var bulk) && bulk.GetProperty("enabled").GetBoolean());
        var orders = subscriptions["orders"];
        Assert.Equal("orders-deadletter", orders.GetProperty("deadLetterTopic").GetString());
        Assert.Equal("events/orders/unknown-type", orders.GetProperty("routes").GetProperty("default").GetString()?.TrimStart('/'));
        Assert.True(orders.GetProperty("bulkSubscribe").GetProperty("enabled").GetBoolean());
        var deadLetters = subscriptions["orders-deadletter"];
        Assert.Equal("orderpubsub", deadLetters.GetProperty("pubsubName").GetString());
        Assert.Equal("events/orders-deadletter", deadLetters.GetProperty("route").GetString()?.TrimStart('/'));
        Assert.False(deadLetters.TryGetProperty("deadLetterTopic", out _));
    }

    [Fact]
    public async Task GraphQL_and_the_health_check_stay_public()
    {
        await using var host = await QueryHost.StartAsync(appToken: "", adminToken: "");

        var health = await host.Http.GetAsync("/healthz", Ct);
        var graphQL = await host.Http.PostAsync("/graphql", JsonBody("""{"query":"{ __typename }"}"""), Ct);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, graphQL.StatusCode);
        Assert.Equal("Query", (await graphQL.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("data").GetProperty("__typename").GetString());
    }

    [Theory]
    [InlineData("GET", "/admin/dead-letters")]
    [InlineData("POST", "/admin/dead-letters/replay")]
    [InlineData("GET", "/admin/projections/rebuild")]
    [InlineData("POST", "/admin/projections/rebuild")]
    public async Task Without_an_admin_token_configured_the_admin_routes_are_closed_to_everyone(string method, string path)
    {
        await using var host = await QueryHost.StartAsync(adminToken: "");

        var response = await host.Http.SendAsync(host.Request(new HttpMethod(method), path, adminToken: "anything", content: JsonBody("""{"all":true}""")), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("admin-disabled", (await ProblemOf(response)).GetProperty("code").GetString());
        Assert.Null(host.Store.RawJson("projection-rebuild"));
        Assert.Contains(host.Logs.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith("ADMIN_TOKEN is not set", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, "Bearer")]
    [InlineData("wrong-token", "Bearer error=\"invalid_token\"")]
    [InlineData(QueryHost.AdminToken + "x", "Bearer error=\"invalid_token\"")]
    public async Task A_missing_or_wrong_admin_token_is_refused_with_a_bearer_challenge(string? token, string challenge)
    {
        await using var host = await QueryHost.StartAsync();

        var response = await host.Http.SendAsync(host.Request(HttpMethod.Post, "/admin/projections/rebuild", adminToken: token), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(challenge, response.Headers.WwwAuthenticate.ToString());
        Assert.Equal("admin-token-required", (await ProblemOf(response)).GetProperty("code").GetString());
        Assert.Null(host.Store.RawJson("projection-rebuild"));
    }

    [Fact]
    public async Task The_admin_token_opens_the_admin_routes()
    {
        await using var host = await QueryHost.StartAsync();

        var response = await host.Http.SendAsync(host.Request(HttpMethod.Get, "/admin/dead-letters", adminToken: QueryHost.AdminToken), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("count").GetInt32());
    }
}
