using System.Net;
using System.Text;
using OrderDapr.Command.Tests.Hosting;

namespace OrderDapr.Command.Tests;

// A frontend on another origin (the order page of order-query) calls the command API from the
// browser: the configured origins may, with the headers the API reads and answers with; others
// get no CORS headers, so the browser refuses them.
public sealed class BrowserOriginsTests
{
    private const string Page = "http://localhost:5002";

    [Fact]
    public async Task A_configured_origin_may_place_an_order_from_the_browser()
    {
        await using var host = await CommandHost.StartAsync(new CommandHostOptions
        {
            Configuration = new Dictionary<string, string?> { ["Cors:AllowedOrigins:0"] = Page },
        });

        using var preflight = await host.Public.SendAsync(Preflight(Page, "content-type,idempotency-key"));
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal(Page, Header(preflight, "Access-Control-Allow-Origin"));
        var allowed = Header(preflight, "Access-Control-Allow-Headers")!.Split(',', StringSplitOptions.TrimEntries);
        Assert.Contains("Idempotency-Key", allowed, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("Content-Type", allowed, StringComparer.OrdinalIgnoreCase);

        using var place = new HttpRequestMessage(HttpMethod.Post, "/orders")
        {
            Content = new StringContent("""{"customerId":"c-1","items":[{"productId":"p-1","quantity":1,"unitPrice":5}]}""", Encoding.UTF8, "application/json"),
        };
        place.Headers.Add("Origin", Page);
        using var placed = await host.Public.SendAsync(place);
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        Assert.Equal(Page, Header(placed, "Access-Control-Allow-Origin"));
        var exposed = Header(placed, "Access-Control-Expose-Headers")!.Split(',', StringSplitOptions.TrimEntries);
        Assert.Contains("ETag", exposed, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("Location", exposed, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Another_origin_gets_no_permission()
    {
        await using var host = await CommandHost.StartAsync(new CommandHostOptions
        {
            Configuration = new Dictionary<string, string?> { ["Cors:AllowedOrigins:0"] = Page },
        });

        using var preflight = await host.Public.SendAsync(Preflight("http://evil.example", "content-type"));
        Assert.Null(Header(preflight, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Without_configured_origins_no_browser_origin_is_allowed()
    {
        await using var host = await CommandHost.StartAsync();

        using var preflight = await host.Public.SendAsync(Preflight(Page, "content-type"));
        Assert.Null(Header(preflight, "Access-Control-Allow-Origin"));
    }

    private static HttpRequestMessage Preflight(string origin, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/orders");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}
