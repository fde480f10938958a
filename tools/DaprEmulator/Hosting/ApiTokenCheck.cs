using Google.Protobuf;
using Grpc.Core;

namespace DaprEmulator.Hosting;

// DAPR_API_TOKEN on both APIs of a sidecar, in front of routing so that it also guards the gRPC
// methods the emulator does not serve (daprd registers the whole Dapr service, so its interceptor
// runs before any of them answers Unimplemented).
internal sealed class ApiTokenCheck(string? token)
{
    private const string Header = "dapr-api-token";
    private const string DaprGrpcService = "/dapr.proto.runtime.v1.Dapr/";

    public async Task InvokeAsync(HttpContext http, Func<Task> next)
    {
        if (token is null)
        {
            await next();
            return;
        }

        var isGrpc = http.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true;
        if (isGrpc)
        {
            if (http.Request.Path.StartsWithSegments(DaprGrpcService.TrimEnd('/'), StringComparison.Ordinal) && Refusal(http.Request) is { } detail)
            {
                WriteUnauthenticated(http, detail);
                return;
            }
        }
        else if (http.Request.Headers[Header].ToString() != token && !IsHealthCheck(http.Request))
        {
            // pkg/api/http/middlewares.go APITokenAuthMiddleware: http.Error(w, "invalid api token", 401).
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            http.Response.ContentType = "text/plain; charset=utf-8";
            http.Response.Headers["X-Content-Type-Options"] = "nosniff";
            await http.Response.WriteAsync("invalid api token\n");
            return;
        }

        // Both middlewares delete the header once checked, so it never travels further (service invocation).
        http.Request.Headers.Remove(Header);
        await next();
    }

    // isRouteExcludedFromAPITokenAuth: GET v1.0/healthz and v1.0/healthz/outbound.
    private static bool IsHealthCheck(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && (request.Path.Value?.Trim('/') ?? "") is "v1.0/healthz" or "v1.0/healthz/outbound";

    // pkg/api/grpc/auth.go checkAPITokenInContext.
    private string? Refusal(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(Header, out var values) || values.Count == 0)
        {
            return "missing api token in request metadata";
        }

        return values[0] != token ? "authentication error: api token mismatch" : null;
    }

    // invokev1.ErrorFromHTTPResponseCode(401, detail): code Unauthenticated, message http.StatusText(401),
    // and an ErrorInfo with reason "Unauthorized" and metadata http.code / http.error_message.
    // Sent as a trailers-only response, the way Grpc.AspNetCore answers a call that failed before any message.
    private static void WriteUnauthenticated(HttpContext http, string detail)
    {
        const string message = "Unauthorized";
        var info = new Google.Rpc.ErrorInfo { Reason = message, Domain = "dapr.io" };
        info.Metadata["http.code"] = "401";
        info.Metadata["http.error_message"] = detail;
        var status = new Google.Rpc.Status { Code = (int)StatusCode.Unauthenticated, Message = message };
        status.Details.Add(Google.Protobuf.WellKnownTypes.Any.Pack(info));

        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/grpc";
        http.Response.Headers["grpc-status"] = ((int)StatusCode.Unauthenticated).ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Response.Headers["grpc-message"] = message;
        http.Response.Headers["grpc-status-details-bin"] = Convert.ToBase64String(status.ToByteArray());
    }
}
