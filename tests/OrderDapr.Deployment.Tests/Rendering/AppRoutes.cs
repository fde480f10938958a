using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using OrderDapr.Command;
using OrderDapr.Query;

namespace OrderDapr.Deployment.Tests.Rendering;

// The GET routes each app maps, read from its real route table: the app is built as Program
// builds it (not started).
public static class AppRoutes
{
    private static readonly Lazy<IReadOnlySet<string>> Command = new(() => GetRoutes(OrderCommandApp.Build([])));

    private static readonly Lazy<IReadOnlySet<string>> Query = new(() => GetRoutes(WebApplication.CreateBuilder().AddOrderQuery().Build().MapOrderQuery()));

    public static IReadOnlySet<string> Of(string appId) => appId switch
    {
        "order-command" => Command.Value,
        "order-query" => Query.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(appId), appId, "not an app of this repository"),
    };

    private static HashSet<string> GetRoutes(WebApplication app)
    {
        var routes = ((IEndpointRouteBuilder)app).DataSources
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains("GET") ?? true)
            .Select(e => "/" + e.RoutePattern.RawText?.TrimStart('/'))
            .ToHashSet(StringComparer.Ordinal);
        ((IDisposable)app).Dispose();
        return routes;
    }
}
