using DaprEmulator.Api;
using Grpc.Core;

namespace DaprEmulator.HttpApi;

// /v1.0/healthz (ready once the app is up, like daprd's runtime readiness) and
// /v1.0/healthz/outbound (ready once the sidecar serves, what WaitForSidecarAsync polls).
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, string appId, Func<bool> appReady)
    {
        routes.MapGet("/v1.0/healthz", (HttpContext http) => Endpoint.Run(http, () =>
        {
            if (!appReady())
            {
                throw new DaprApiException(StatusCode.Internal, 500, "ERR_HEALTH_NOT_READY", "dapr is not ready: [app]");
            }

            // An "appid" query parameter must name this sidecar's app (used by name resolvers).
            if (http.Request.Query.TryGetValue("appid", out var requested) && requested != appId)
            {
                throw new DaprApiException(StatusCode.Internal, 500, "ERR_HEALTH_APPID_NOT_MATCH", "dapr app-id does not match");
            }

            Endpoint.NoContent(http);
            return Task.CompletedTask;
        }));
        routes.MapGet("/v1.0/healthz/outbound", (HttpContext http) => Endpoint.NoContent(http));
    }
}
