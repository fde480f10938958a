using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrderDapr.Contracts;
using OrderDapr.Query.Rebuild;
using OrderDapr.Query.Tests.Fixtures;
using static OrderDapr.Query.Tests.Fixtures.Deliveries;
using static OrderDapr.Query.Tests.Fixtures.Given;

namespace OrderDapr.Query.Tests;

// The operator's routes over HTTP: the shapes of their requests and answers.
public sealed class AdminEndpointsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> Send(QueryHost host, HttpMethod method, string path, string? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await host.Http.SendAsync(host.Request(method, path, adminToken: QueryHost.AdminToken, content: body is null ? null : JsonBody(body)), Ct);
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static async Task Deliver(QueryHost host, params JsonElement[] cloudEvents)
    {
        var response = await host.Http.SendAsync(host.Request(HttpMethod.Post, "/events/orders", appToken: QueryHost.AppToken, content: JsonBody(Bulk(cloudEvents))), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Dead_letters_are_listed_with_why_they_were_parked_and_replayed_one_by_one_or_all()
    {
        await using var host = await QueryHost.StartAsync();
        var poison = Event("order-1", 1, Created()) with { Data = JsonSerializer.SerializeToElement(new { customerId = "customer-1" }) };
        await Deliver(host, CloudEvent(poison), CloudEvent("ce-garbage", "\"not an envelope\""));
        var failed = Event("order-2", 1, Created());
        var dapr = await host.Http.SendAsync(
            host.Request(HttpMethod.Post, "/events/orders-deadletter", appToken: QueryHost.AppToken, content: JsonBody(CloudEvent(failed).GetRawText())), Ct);
        Assert.Equal(HttpStatusCode.OK, dapr.StatusCode);

        var page = await Send(host, HttpMethod.Get, "/admin/dead-letters?limit=2");

        Assert.Equal(3, page.GetProperty("count").GetInt32());
        var first = page.GetProperty("entries")[0];
        Assert.Equal(poison.EventId, first.GetProperty("id").GetString());
        Assert.Equal("OrderCreated.v2", first.GetProperty("type").GetString());
        Assert.Equal("order-1", first.GetProperty("orderId").GetString());
        Assert.Equal(1, first.GetProperty("version").GetInt32());
        Assert.Equal("Event OrderCreated.v2 v1 of order order-1 misses required data.", first.GetProperty("reason").GetString());
        Assert.Equal(T0, first.GetProperty("parkedAt").GetDateTimeOffset());
        Assert.Equal(poison.EventId, first.GetProperty("event").GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, page.GetProperty("entries")[1].GetProperty("orderId").ValueKind);
        var rest = await Send(host, HttpMethod.Get, $"/admin/dead-letters?limit=2&after={page.GetProperty("nextCursor").GetString()}");
        var last = Assert.Single(rest.GetProperty("entries").EnumerateArray());
        Assert.Equal((failed.EventId, "delivery failed after retries"), (last.GetProperty("id").GetString(), last.GetProperty("reason").GetString()));
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("nextCursor").ValueKind);

        var one = await Send(host, HttpMethod.Post, "/admin/dead-letters/replay", $$"""{"ids":["{{failed.EventId}}","nope"]}""");

        Assert.Equal(
            $$"""[{"id":"{{failed.EventId}}","outcome":"projected","reason":null},{"id":"nope","outcome":"not-found","reason":null}]""",
            one.GetProperty("results").GetRawText());
        Assert.Equal(2, one.GetProperty("remaining").GetInt32());

        var all = await Send(host, HttpMethod.Post, "/admin/dead-letters/replay", """{"all":true}""");

        Assert.Equal(["still-poison", "still-poison"], all.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("outcome").GetString()));
        Assert.Equal(2, all.GetProperty("remaining").GetInt32());
    }

    [Theory]
    [InlineData("/admin/dead-letters?limit=0", null, "invalid-limit")]
    [InlineData("/admin/dead-letters?limit=101", null, "invalid-limit")]
    [InlineData("/admin/dead-letters?limit=ten", null, "invalid-limit")]
    [InlineData("/admin/dead-letters?after=not-a-cursor", null, "invalid-cursor")]
    [InlineData("/admin/dead-letters/replay", "{}", "invalid-replay-request")]
    [InlineData("/admin/dead-letters/replay", """{"ids":[]}""", "invalid-replay-request")]
    [InlineData("/admin/dead-letters/replay", """{"ids":["a"],"all":true}""", "invalid-replay-request")]
    [InlineData("/admin/dead-letters/replay", "not json", "invalid-replay-request")]
    public async Task A_request_the_dead_letter_routes_cannot_read_is_a_bad_request_problem(string path, string? body, string code)
    {
        await using var host = await QueryHost.StartAsync();

        var problem = await Send(host, body is null ? HttpMethod.Get : HttpMethod.Post, path, body, HttpStatusCode.BadRequest);

        Assert.Equal(code, problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_rebuild_is_started_followed_and_refused_while_it_runs()
    {
        var source = new FakeStreamSource([new OrderStreamEvents("order-1", [Event("order-1", 1, Created()), Event("order-1", 2, new OrderPaid(25.25m, "p"))])]);
        await using var host = await QueryHost.StartAsync(streams: source);
        Assert.Equal("idle", (await Send(host, HttpMethod.Get, "/admin/projections/rebuild")).GetProperty("state").GetString());

        var response = await host.Http.SendAsync(host.Request(HttpMethod.Post, "/admin/projections/rebuild", adminToken: QueryHost.AdminToken), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("/admin/projections/rebuild", response.Headers.Location?.OriginalString);
        var started = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(("running", 0, 1), (started.GetProperty("state").GetString(), started.GetProperty("currentGeneration").GetInt32(), started.GetProperty("targetGeneration").GetInt32()));

        // It waits for the other replicas until the clock moves: it is running, whatever the machine's speed.
        var conflict = await Send(host, HttpMethod.Post, "/admin/projections/rebuild", expected: HttpStatusCode.Conflict);
        Assert.Equal(("rebuild-running", 1), (conflict.GetProperty("code").GetString(), conflict.GetProperty("targetGeneration").GetInt32()));
        Assert.Equal("running", (await Send(host, HttpMethod.Get, "/admin/projections/rebuild")).GetProperty("state").GetString());

        host.Time.Advance(ProjectionRebuild.Settle);
        await host.Services.GetRequiredService<ProjectionRebuild>().Running;

        var done = await Send(host, HttpMethod.Get, "/admin/projections/rebuild");
        Assert.Equal(("completed", 1, 1, 2), (done.GetProperty("state").GetString(), done.GetProperty("currentGeneration").GetInt32(),
            done.GetProperty("streamsProjected").GetInt32(), done.GetProperty("eventsProjected").GetInt32()));
        Assert.Equal(T0 + ProjectionRebuild.Settle, done.GetProperty("finishedAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, done.GetProperty("error").ValueKind);
        var graphQL = await host.Http.PostAsync("/graphql", JsonBody("""{"query":"{ order(id: \"order-1\") { status } }"}"""), Ct);
        Assert.Equal("PAID", (await graphQL.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("data").GetProperty("order").GetProperty("status").GetString());
    }
}
