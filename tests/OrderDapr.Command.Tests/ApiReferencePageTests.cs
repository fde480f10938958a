using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrderDapr.Command.Tests.Hosting;

namespace OrderDapr.Command.Tests;

// The API reference page (/scalar) must work without the internet: every script it references is
// served by the app itself, the document it shows too, and the features of Scalar that would call
// out (web fonts, telemetry, the AI agent, MCP, the hosted API client) are off.
public sealed partial class ApiReferencePageTests
{
    [Fact]
    public async Task The_page_and_every_script_it_references_come_from_the_app()
    {
        await using var host = await CommandHost.StartAsync();

        using var page = await host.Public.GetAsync("/scalar");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var pageUri = page.RequestMessage!.RequestUri!;
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotMatch(AbsoluteUrl(), html);

        var scripts = ScriptSource().Matches(html).Select(m => m.Groups[1].Value)
            .Concat(ModuleImport().Matches(html).Select(m => m.Groups[1].Value))
            .Distinct()
            .ToList();
        Assert.Contains(scripts, s => s.EndsWith("scalar.js", StringComparison.Ordinal));
        foreach (var script in scripts)
        {
            var url = new Uri(pageUri, script);
            Assert.Equal(pageUri.GetLeftPart(UriPartial.Authority), url.GetLeftPart(UriPartial.Authority));
            using var served = await host.Public.GetAsync(url);
            Assert.True(served.StatusCode == HttpStatusCode.OK, $"{url} answered {(int)served.StatusCode}");
            Assert.Equal("text/javascript", served.Content.Headers.ContentType?.MediaType);
            Assert.NotEmpty(await served.Content.ReadAsByteArrayAsync());
        }

        // initialize(path, dynamicBaseUrl, configuration, modulePath) in scalar.aspnetcore.js resolves
        // the document's url against the page's path less `path`.
        var call = Initialize().Match(html);
        Assert.True(call.Success, "the page does not initialize Scalar");
        var configuration = JsonDocument.Parse(call.Groups["configuration"].Value).RootElement;
        var basePath = pageUri.AbsolutePath[..^Uri.UnescapeDataString(call.Groups["path"].Value).Length];
        var documentUrl = new Uri(new Uri(pageUri, basePath + "/"), configuration.GetProperty("sources")[0].GetProperty("url").GetString());
        using var document = await host.Public.GetAsync(documentUrl);
        Assert.True(document.StatusCode == HttpStatusCode.OK, $"{documentUrl} answered {(int)document.StatusCode}");
        Assert.Equal(DocumentedApi.Route, documentUrl.AbsolutePath);
        using var favicon = await host.Public.GetAsync(new Uri(pageUri, configuration.GetProperty("favicon").GetString()));
        Assert.Equal(HttpStatusCode.OK, favicon.StatusCode);

        Assert.False(configuration.GetProperty("withDefaultFonts").GetBoolean());
        Assert.False(configuration.GetProperty("telemetry").GetBoolean());
        Assert.True(configuration.GetProperty("agent").GetProperty("disabled").GetBoolean());
        Assert.True(configuration.GetProperty("mcp").GetProperty("disabled").GetBoolean());
        Assert.True(configuration.GetProperty("hideClientButton").GetBoolean());
    }

    [GeneratedRegex("https?://", RegexOptions.IgnoreCase)]
    private static partial Regex AbsoluteUrl();

    [GeneratedRegex("""<script\b[^>]*\bsrc\s*=\s*["']([^"']+)["']""", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptSource();

    [GeneratedRegex("""\bimport\b[^;'"]*\bfrom\s*["']([^"']+)["']""")]
    private static partial Regex ModuleImport();

    [GeneratedRegex("""initialize\(\s*'(?<path>[^']*)',\s*\w+,\s*(?<configuration>\{.*\}),\s*'[^']*'\s*\)""", RegexOptions.Singleline)]
    private static partial Regex Initialize();
}
