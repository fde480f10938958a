using System.Net;
using System.Text.RegularExpressions;
using OrderDapr.Query.Tests.Fixtures;

namespace OrderDapr.Query.Tests;

// The order pages for people: served by order-query itself (no CDN, no other web server), told
// where the command API is by configuration. What they do in a browser is tested end to end in
// Chromium (OrderDapr.EndToEnd.Tests/Frontend).
public sealed partial class OrderPagesTests
{
    [Theory]
    [InlineData("/", "index.html")]
    [InlineData("/customers/c-1", "index.html")]
    [InlineData("/orders/0b6f1c5e-0000-4000-8000-000000000001", "order.html")]
    public async Task Each_page_and_everything_it_loads_is_served_by_the_service(string path, string page)
    {
        await using var host = await QueryHost.StartAsync();

        using var response = await host.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains(page == "order.html" ? "id=\"status\"" : "id=\"place\"", html, StringComparison.Ordinal);
        var references = Reference().Matches(html).Select(m => m.Groups["url"].Value).Where(u => !u.StartsWith("data:", StringComparison.Ordinal)).ToList();
        Assert.Contains("/app/app.js", references);
        foreach (var reference in references)
        {
            Assert.StartsWith("/", reference, StringComparison.Ordinal);
            using var asset = await host.Http.GetAsync(reference);
            Assert.True(asset.StatusCode == HttpStatusCode.OK, $"{reference} answered {(int)asset.StatusCode}");
            Assert.NotEmpty(await asset.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task The_pages_are_told_where_the_command_api_is()
    {
        await using var host = await QueryHost.StartAsync(settings: new Dictionary<string, string?> { ["Frontend:CommandApiUrl"] = "https://orders.example.com" });

        var script = await host.Http.GetStringAsync("/app/config.js");

        Assert.Equal("""window.OrderDaprConfig = {"commandApi":"https://orders.example.com","graphql":"/graphql"};""", script.Trim());
    }

    [Fact]
    public async Task Without_configuration_the_pages_use_the_command_api_of_the_local_run()
    {
        await using var host = await QueryHost.StartAsync();

        var script = await host.Http.GetStringAsync("/app/config.js");

        Assert.Contains("\"commandApi\":\"http://localhost:5001\"", script, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/app/nothing.js")]
    [InlineData("/app/index.html")]
    public async Task A_file_that_is_no_asset_of_the_pages_is_not_found(string path)
    {
        await using var host = await QueryHost.StartAsync();

        using var response = await host.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    // Scripts and the link elements' files (style sheet, icon): what the browser loads with the page.
    [GeneratedRegex(@"(?:src=""(?<url>[^""]+)""|<link[^>]*href=""(?<url>[^""]+)"")")]
    private static partial Regex Reference();
}
