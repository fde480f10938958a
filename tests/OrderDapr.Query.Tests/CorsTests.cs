using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using OrderDapr.Query.Tests.Fixtures;

namespace OrderDapr.Query.Tests;

// Which web pages may use /graphql from a browser, over HTTP on loopback: frontends served from
// the origins of Cors:AllowedOrigins (CORS for GET and POST, the Origin of a WebSocket
// handshake), and no other site.
public sealed class CorsTests
{
    private const string Shop = "https://shop.example.com";
    private const string Elsewhere = "https://evil.example.net";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<QueryHost> StartAsync(params string[] origins) => QueryHost.StartAsync(settings: origins
        .Select((origin, i) => KeyValuePair.Create($"Cors:AllowedOrigins:{i}", (string?)origin))
        .ToDictionary());

    // What a browser sends before a cross-origin POST of JSON.
    private static async Task<HttpResponseMessage> PreflightAsync(QueryHost host, string origin, string path = "/graphql", string method = "POST")
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        return await host.Http.SendAsync(request, Ct);
    }

    private static async Task<HttpResponseMessage> PostAsync(QueryHost host, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = JsonContent.Create(new { query = "{ __typename }" }) };
        request.Headers.Add("Origin", origin);
        return await host.Http.SendAsync(request, Ct);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    [Fact]
    public async Task A_preflight_from_an_allowed_origin_is_allowed_to_POST_JSON()
    {
        await using var host = await StartAsync(Shop);

        using var response = await PreflightAsync(host, Shop);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Shop, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("POST", Header(response, "Access-Control-Allow-Methods") ?? "", StringComparison.Ordinal);
        Assert.Contains("content-type", Header(response, "Access-Control-Allow-Headers") ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.Equal("3600", Header(response, "Access-Control-Max-Age"));
    }

    [Fact]
    public async Task A_preflight_from_another_origin_gets_no_allowance()
    {
        await using var host = await StartAsync(Shop);

        using var response = await PreflightAsync(host, Elsewhere);

        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
        Assert.Null(Header(response, "Access-Control-Allow-Methods"));
        Assert.Null(Header(response, "Access-Control-Allow-Headers"));
    }

    [Fact]
    public async Task Without_configured_origins_no_other_origin_is_allowed()
    {
        await using var host = await StartAsync();

        using var response = await PreflightAsync(host, Shop);

        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("https://Shop.Example.com/", Shop)]
    [InlineData("https://shop.example.com:443", Shop)]
    [InlineData("http://localhost:5173", "http://localhost:5173")]
    public async Task A_configured_origin_matches_the_Origin_header_browsers_send_for_it(string configured, string sent)
    {
        await using var host = await StartAsync(configured);

        using var response = await PreflightAsync(host, sent);

        Assert.Equal(sent, Header(response, "Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("https://shop.example.com:8443")]
    [InlineData("http://shop.example.com")]
    [InlineData("https://sub.shop.example.com")]
    [InlineData("null")]
    public async Task An_origin_differing_in_scheme_port_or_host_is_another_origin(string sent)
    {
        await using var host = await StartAsync(Shop);

        using var response = await PreflightAsync(host, sent);

        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task The_answer_to_an_allowed_origin_is_readable_by_its_page_and_to_another_it_is_not()
    {
        await using var host = await StartAsync(Shop);

        using var allowed = await PostAsync(host, Shop);
        using var other = await PostAsync(host, Elsewhere);

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(Shop, Header(allowed, "Access-Control-Allow-Origin"));
        Assert.Null(Header(other, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task The_admin_and_sidecar_routes_allow_no_origin()
    {
        await using var host = await StartAsync(Shop);

        using var admin = await PreflightAsync(host, Shop, "/admin/dead-letters", "GET");
        using var sidecar = await PreflightAsync(host, Shop, "/events/orders");

        Assert.Null(Header(admin, "Access-Control-Allow-Origin"));
        Assert.Null(Header(sidecar, "Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("https://shop.example.com/orders")]
    [InlineData("*")]
    [InlineData("shop.example.com")]
    public async Task A_configured_origin_that_is_no_origin_keeps_the_service_from_starting(string configured)
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(async () => await (await StartAsync(configured)).DisposeAsync());

        Assert.Contains("Cors:AllowedOrigins", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_of_another_origin_may_not_open_a_WebSocket()
    {
        await using var host = await StartAsync(Shop);

        Assert.Equal(HttpStatusCode.Forbidden, await GraphQLWsClient.RefusedAsync(host, Elsewhere));
    }

    [Theory]
    [InlineData(Shop)]
    [InlineData(null)] // no browser
    public async Task An_allowed_page_and_a_client_that_is_no_browser_may_open_a_WebSocket(string? origin)
    {
        await using var host = await StartAsync(Shop);
        await using var client = await GraphQLWsClient.ConnectAsync(host, origin: origin);

        await client.InitAsync();
    }

    [Theory]
    [InlineData("http")]
    [InlineData("https")] // behind a proxy that ends TLS
    public async Task GraphiQL_served_by_order_query_may_open_a_WebSocket_to_it(string scheme)
    {
        await using var host = await StartAsync();
        await using var client = await GraphQLWsClient.ConnectAsync(host, origin: $"{scheme}://{host.Address.Authority}");

        await client.InitAsync();
    }
}
