using Microsoft.Extensions.Options;

namespace OrderDapr.Query.GraphQL.Http;

public sealed class GraphQLCorsOptions
{
    public const string Section = "Cors";

    // Origins of frontends served from elsewhere, e.g. https://shop.example.com. None by default.
    public IList<string> AllowedOrigins { get; } = [];
}

// Which web origins may use /graphql from a browser: the configured ones, for CORS and for
// WebSockets. A WebSocket is not covered by CORS (a page may open one to any site and the
// browser sends the site's cookies along), so its handshake's Origin is checked here: allowed
// are the configured origins, the page's own site (GraphiQL served by this service) and
// clients that are no browser (no Origin header).
public sealed class GraphQLOrigins(IOptions<GraphQLCorsOptions> options)
{
    private readonly HashSet<string> allowed = new(options.Value.AllowedOrigins.Select(o => Normalize(o)!), StringComparer.OrdinalIgnoreCase);

    public bool IsAllowed(string origin) => Normalize(origin) is { } normalized && allowed.Contains(normalized);

    public bool MayOpenWebSocket(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin))
        {
            return true;
        }

        // The same site, whatever the scheme: behind a proxy ending TLS the request arrives as http.
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
               || IsAllowed(origin);
    }

    // scheme://host[:port], the port only when it is not the scheme's default, as browsers send
    // it; null when the text is no http(s) origin.
    public static string? Normalize(string origin) =>
        Uri.TryCreate(origin.Trim().TrimEnd('/'), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
        && uri.AbsolutePath == "/" && string.IsNullOrEmpty(uri.Query)
            ? $"{uri.Scheme}://{uri.Authority}"
            : null;
}
