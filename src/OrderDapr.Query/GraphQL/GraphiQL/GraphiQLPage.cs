using OrderDapr.Query.Http;

namespace OrderDapr.Query.GraphQL.GraphiQL;

// GraphiQL, the GraphQL IDE, for a browser opening /graphql: the page and every file it loads come
// from this service (wwwroot/graphiql, embedded in the assembly; tools/graphiql/update.sh
// reproduces the third-party files from npm), so it works where the internet is out of reach.
public static class GraphiQLPage
{
    public const string AssetsPath = "/graphiql";

    private const string Page = "index.html";

    // Every embedded file under graphiql/, read once: about 1.5 MB.
    private static readonly Lazy<EmbeddedAssets> Assets = new(() => EmbeddedAssets.Load("graphiql"));

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

    public static Task WriteAsync(HttpContext context) => Assets.Value.WriteAsync(context, Page);

    // GET /graphiql/{file}: the page's scripts and styles, and the licences of the bundled libraries.
    public static IEndpointRouteBuilder MapGraphiQLAssets(this IEndpointRouteBuilder app)
    {
        app.MapGet($"{AssetsPath}/{{file}}", (HttpContext context, string file) =>
            file != Page ? Assets.Value.WriteAsync(context, file) : Results.NotFound().ExecuteAsync(context));
        return app;
    }
}
