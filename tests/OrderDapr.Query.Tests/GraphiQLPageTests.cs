using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrderDapr.Query.Tests.Fixtures;

namespace OrderDapr.Query.Tests;

// GraphiQL at /graphql for a browser, over HTTP on loopback: the page, every file it loads served
// by order-query itself (the IDE works where the internet is out of reach), and GraphQL clients
// on the same URL still answered as GraphQL.
public sealed partial class GraphiQLPageTests
{
    // What Chrome and Firefox send when the user opens the URL.
    private const string BrowserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [GeneratedRegex("""<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']([^"']+)["']""", RegexOptions.IgnoreCase)]
    private static partial Regex ReferencedFiles();

    private static async Task<HttpResponseMessage> GetAsync(QueryHost host, string path, string? accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        return await host.Http.SendAsync(request, Ct);
    }

    private static async Task<(Uri Page, IReadOnlyList<string> Files)> PageAsync(QueryHost host, string path)
    {
        using var response = await GetAsync(host, path, BrowserAccept);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("<div id=\"graphiql\">", html, StringComparison.Ordinal);
        return (response.RequestMessage!.RequestUri!, [.. ReferencedFiles().Matches(html).Select(m => m.Groups[1].Value)]);
    }

    [Fact]
    public async Task A_browser_opening_graphql_gets_GraphiQL()
    {
        await using var host = await QueryHost.StartAsync();

        using var response = await GetAsync(host, "/graphql", BrowserAccept);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("<title>order-query · GraphiQL</title>", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/graphql")]
    [InlineData("/graphql/")]
    public async Task Every_script_and_stylesheet_of_the_page_is_served_by_order_query_itself(string path)
    {
        await using var host = await QueryHost.StartAsync();

        var (page, files) = await PageAsync(host, path);

        Assert.Equal(6, files.Count); // the stylesheet, React, ReactDOM, graphql-ws, GraphiQL, start.js
        foreach (var file in files)
        {
            var url = new Uri(page, file);
            Assert.True(url.Authority == host.Address.Authority, $"{file} is loaded from {url.Authority}, not from order-query");
            using var response = await GetAsync(host, url.PathAndQuery, "*/*");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{file} ({url.PathAndQuery}): {(int)response.StatusCode}");
            Assert.Contains(response.Content.Headers.ContentType?.MediaType, new[] { "text/javascript", "text/css" });
            Assert.True((await response.Content.ReadAsByteArrayAsync(Ct)).Length > 0, $"{file} is empty");
        }
    }

    [Fact]
    public async Task Opened_with_a_trailing_slash_the_page_is_sent_to_graphql_relative_to_where_it_was_opened()
    {
        await using var host = await QueryHost.StartAsync();
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = host.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/graphql/?operationName=Orders");
        request.Headers.TryAddWithoutValidation("Accept", BrowserAccept);

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("../graphql?operationName=Orders", response.Headers.Location?.OriginalString);
        Assert.Equal("/graphql?operationName=Orders", new Uri(new Uri(host.Address, "/graphql/"), response.Headers.Location!).PathAndQuery);
    }

    [Fact]
    public async Task The_stylesheet_loads_no_font_or_image_from_elsewhere()
    {
        await using var host = await QueryHost.StartAsync();
        var (page, files) = await PageAsync(host, "/graphql");

        foreach (var css in files.Where(f => f.EndsWith(".css", StringComparison.Ordinal)))
        {
            using var response = await GetAsync(host, new Uri(page, css).PathAndQuery, "text/css");
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.DoesNotContain("@import", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotMatch(@"url\(\s*['""]?(https?:)?//", text);
        }
    }

    [Fact]
    public async Task The_page_sends_queries_and_subscriptions_to_the_URL_it_was_opened_at()
    {
        await using var host = await QueryHost.StartAsync();

        using var response = await GetAsync(host, "/graphiql/start.js", "*/*");
        var start = await response.Content.ReadAsStringAsync(Ct);

        Assert.Contains("window.location.origin + window.location.pathname", start, StringComparison.Ordinal);
        Assert.DoesNotMatch("https?://", start);
    }

    [Fact]
    public async Task An_unchanged_file_is_revalidated_with_its_ETag()
    {
        await using var host = await QueryHost.StartAsync();
        using var first = await GetAsync(host, "/graphiql/graphiql.min.js", "*/*");
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.Equal("no-cache", first.Headers.CacheControl?.ToString());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/graphiql/graphiql.min.js");
        request.Headers.IfNoneMatch.Add(etag);
        using var again = await host.Http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync(Ct));
    }

    [Theory]
    [InlineData("/graphiql/nope.js")]
    [InlineData("/graphiql/index.html")]
    public async Task Only_the_pages_files_are_served_under_graphiql(string path)
    {
        await using var host = await QueryHost.StartAsync();

        using var response = await GetAsync(host, path, "*/*");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/graphql-response+json")]
    [InlineData("*/*")]
    [InlineData(null)]
    [InlineData("text/html;q=0.5, application/json")]
    public async Task A_GraphQL_client_GETting_graphql_without_a_query_still_gets_the_GraphQL_answer(string? accept)
    {
        await using var host = await QueryHost.StartAsync();

        using var response = await GetAsync(host, "/graphql", accept);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("The request has no query parameter.", body.GetProperty("errors")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_GraphQL_client_GETting_a_query_gets_data()
    {
        await using var host = await QueryHost.StartAsync();

        using var response = await GetAsync(host, "/graphql?query=%7B__typename%7D", "application/json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Query", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("data").GetProperty("__typename").GetString());
    }
}
