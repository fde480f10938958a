using System.Collections.Frozen;
using System.Security.Cryptography;

namespace OrderDapr.Query.GraphQL.GraphiQL;

// GraphiQL, the GraphQL IDE, for a browser opening /graphql: the page and every file it loads come
// from this service (wwwroot/graphiql, embedded in the assembly; tools/graphiql/update.sh
// reproduces the third-party files from npm), so it works where the internet is out of reach.
public static class GraphiQLPage
{
    public const string AssetsPath = "/graphiql";

    private const string Page = "index.html";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".txt"] = "text/plain; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // Every embedded file under graphiql/, read once: about 1.5 MB.
    private static readonly Lazy<FrozenDictionary<string, Asset>> Assets = new(LoadAssets);

    private sealed record Asset(byte[] Content, string ContentType, string ETag);

    // A browser navigating to /graphql asks for HTML first; GraphQL clients ask for JSON.
    public static bool IsAskedFor(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        var html = accept.Where(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase)).Select(a => a.Quality ?? 1).DefaultIfEmpty(0).Max();
        var json = accept.Where(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                                     || a.MediaType.Equals("application/graphql-response+json", StringComparison.OrdinalIgnoreCase))
            .Select(a => a.Quality ?? 1).DefaultIfEmpty(0).Max();
        return html > 0 && html >= json;
    }

    public static Task WriteAsync(HttpContext context) => WriteAsync(context, Assets.Value[Page]);

    // GET /graphiql/{file}: the page's scripts and styles, and the licences of the bundled libraries.
    public static IEndpointRouteBuilder MapGraphiQLAssets(this IEndpointRouteBuilder app)
    {
        app.MapGet($"{AssetsPath}/{{file}}", (HttpContext context, string file) =>
            Assets.Value.TryGetValue(file, out var asset) && file != Page ? WriteAsync(context, asset) : Results.NotFound().ExecuteAsync(context));
        return app;
    }

    private static async Task WriteAsync(HttpContext context, Asset asset)
    {
        var response = context.Response;
        response.Headers.ETag = asset.ETag;

        // Revalidated on each load (a new build may ship new files under the same names), answered 304 when unchanged.
        response.Headers.CacheControl = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        if (context.Request.GetTypedHeaders().IfNoneMatch.Any(e => e.Tag.Equals(asset.ETag, StringComparison.Ordinal)))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        await response.Body.WriteAsync(asset.Content, context.RequestAborted);
    }

    private static FrozenDictionary<string, Asset> LoadAssets()
    {
        var assembly = typeof(GraphiQLPage).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("graphiql/", StringComparison.Ordinal)))
        {
            var file = name["graphiql/".Length..];
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"";
            assets[file] = new Asset(content, ContentTypes[Path.GetExtension(file)], etag);
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
