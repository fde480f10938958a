using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace OrderDapr.Observability.Health;

// The probes: GET /healthz/live answers while the process serves requests; GET /healthz/ready
// answers 200 while the sidecar and every component the app needs are there, and otherwise 503
// with an RFC 9457 problem naming what is down. Both are public: the kubelet sends no token.
public static class HealthEndpoints
{
    public const string Root = "/healthz";
    public const string LiveRoute = "/healthz/live";
    public const string ReadyRoute = "/healthz/ready";

    public static IServiceCollection AddReadiness(this IServiceCollection services)
    {
        services.AddOptions<ReadinessOptions>().BindConfiguration(ReadinessOptions.Section);
        return services.AddSingleton<SidecarReadiness>();
    }

    public static IEndpointRouteBuilder MapProbes(this IEndpointRouteBuilder routes, IReadOnlyCollection<string> components)
    {
        routes.MapGet(LiveRoute, () => TypedResults.Ok(new { status = "live" })).ExcludeFromDescription().AllowAnonymous();
        routes.MapGet(ReadyRoute, async (SidecarReadiness readiness, CancellationToken cancellationToken) =>
        {
            var found = await readiness.CheckAsync(components, cancellationToken);
            return found.IsReady
                ? Results.Ok(new { status = "ready", components })
                : TypedResults.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Not ready",
                    detail: found.Detail,
                    type: "urn:orderdapr:problem:not-ready",
                    extensions: new Dictionary<string, object?> { ["code"] = "not-ready", ["down"] = found.Down });
        }).ExcludeFromDescription().AllowAnonymous();
        return routes;
    }
}
