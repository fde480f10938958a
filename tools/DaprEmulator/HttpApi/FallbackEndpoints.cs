using DaprEmulator.Api;
using Grpc.Core;

namespace DaprEmulator.HttpApi;

// Dapr HTTP APIs the emulator does not serve answer 501 with a Dapr-style error naming the API,
// anything else 404; neither pretends to succeed.
internal static class FallbackEndpoints
{
    private static readonly string[] KnownApis =
    [
        "/v1.0/invoke", "/v1.0/bindings", "/v1.0/secrets", "/v1.0/configuration", "/v1.0/shutdown", "/v1.0/subscribe",
        "/v1.0-alpha1", "/v1.0-alpha2", "/v1.0-beta1", "/v1.0/publish", "/v1.0/state", "/v1.0/actors",
    ];

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapFallback((HttpContext http) => Endpoint.Run(http, () =>
        {
            var path = http.Request.Path.Value ?? "";
            if (http.Request.Headers.ContainsKey("dapr-app-id"))
            {
                throw DaprErrors.NotEmulated("service invocation by the dapr-app-id header");
            }

            var api = KnownApis.FirstOrDefault(p => path.StartsWith(p, StringComparison.OrdinalIgnoreCase));
            throw api is not null
                ? DaprErrors.NotEmulated($"the Dapr HTTP API {http.Request.Method} {path}")
                : new DaprApiException(StatusCode.NotFound, 404, "ERR_NOT_FOUND", $"method \"{http.Request.Method} {path}\" is not found");
        }));
    }
}
