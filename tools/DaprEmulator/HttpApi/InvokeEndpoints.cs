using DaprEmulator.Api;
using DaprEmulator.Hosting;
using DaprEmulator.PubSub;

namespace DaprEmulator.HttpApi;

// Service invocation over HTTP, /v1.0/invoke/{appId}/method/{method} (pkg/api/http/directmessaging.go
// onDirectMessage, pkg/messaging/direct_messaging.go, pkg/channel/http/http_channel.go): the caller's
// sidecar has checked its DAPR_API_TOKEN (and removed the header); the call goes to the caller's own
// app when the id is its own (invokeLocal), else to a sidecar of the id taken in turn, which calls its
// app at /{method}?{query} with the verb, body and headers (less hop-by-hop ones) and its own
// APP_API_TOKEN. The app's status, headers and body come back as they are, whatever the status.
internal static class InvokeEndpoints
{
    private const string ErrorCode = "ERR_DIRECT_INVOKE";

    private static readonly string[] Verbs = ["GET", "POST", "PUT", "DELETE", "PATCH"];

    // invokev1.IsHopByHopHeader, plus what the channel rebuilds itself (Content-Length, Content-Type, Host)
    // and the headers daprd consumes or re-stamps.
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade", "HTTP2-Settings", "TE", "Trailer",
        "Proxy-Authorization", "Proxy-Authenticate", "Content-Length", "Content-Type", "Host", "dapr-app-id",
        "traceparent", "tracestate", "dapr-caller-app-id", "dapr-callee-app-id", "dapr-caller-namespace",
    };

    public static void Map(IEndpointRouteBuilder routes, DaprSidecar caller, Func<string, DaprSidecar?> resolve, string? ns)
    {
        routes.MapMethods("/v1.0/invoke/{**rest}", Verbs, (HttpContext http) => Endpoint.Run(http, () => InvokeAsync(http, caller, resolve, ns)));
    }

    private static async Task InvokeAsync(HttpContext http, DaprSidecar caller, Func<string, DaprSidecar?> resolve, string? ns)
    {
        var (targetId, method) = TargetAndMethod(http.Request.Path.Value ?? "");
        if (targetId.Length == 0)
        {
            throw new DaprApiException(Grpc.Core.StatusCode.NotFound, 404, ErrorCode, "failed getting app id either from the URL path or the header dapr-app-id");
        }

        // <appid>.<namespace>, http(s):// URLs and HTTPEndpoint resources are other kinds of target.
        if (targetId.Contains('.', StringComparison.Ordinal) || targetId.Contains(':', StringComparison.Ordinal))
        {
            throw DaprErrors.NotEmulated($"service invocation of '{targetId}' (namespaced app ids and external endpoints)");
        }

        var local = targetId == caller.AppId;
        var target = local ? caller : resolve(targetId)
            ?? throw Failed(targetId, $"couldn't find service: {targetId}");

        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
        using var request = new HttpRequestMessage(new HttpMethod(http.Request.Method), new Uri("/" + method + http.Request.QueryString.Value, UriKind.Relative))
        {
            Content = new ByteArrayContent(body.ToArray()),
        };
        CopyHeaders(http.Request, request);
        AddInvocationHeaders(request, caller.AppId, targetId, ns, local);

        HttpResponseMessage response;
        try
        {
            response = await target.CallAppAsync(request, http.RequestAborted);
        }
        catch (AppChannelException e)
        {
            // A remote target answers over daprd's internal gRPC call, whose status wraps the channel error.
            throw Failed(targetId, local ? e.LocalMessage : $"rpc error: code = Internal desc = {e.RemoteMessage}");
        }

        using (response)
        {
            http.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!NotForwarded.Contains(name) && !name.Equals("Date", StringComparison.OrdinalIgnoreCase) && !name.Equals("Server", StringComparison.OrdinalIgnoreCase))
                {
                    http.Response.Headers.Append(name, values.ToArray());
                }
            }

            if (response.Content.Headers.ContentType is { } contentType)
            {
                http.Response.ContentType = contentType.ToString();
            }

            await response.Content.CopyToAsync(http.Response.Body, http.RequestAborted);
        }
    }

    // findTargetIDAndMethod: what precedes "/method/" is the app id (query-unescaped), what follows,
    // path.Clean'ed, the method.
    private static (string TargetId, string Method) TargetAndMethod(string path)
    {
        const string prefix = "/v1.0/invoke/";
        var rest = path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : "";
        var at = rest.IndexOf("/method/", StringComparison.Ordinal);
        if (at <= 0)
        {
            return ("", "");
        }

        var segments = new List<string>();
        foreach (var segment in rest[(at + "/method/".Length)..].Split('/'))
        {
            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }
            }
            else if (segment is not ("" or "."))
            {
                segments.Add(segment);
            }
        }

        return (Uri.UnescapeDataString(rest[..at]), string.Join('/', segments));
    }

    private static void CopyHeaders(HttpRequest from, HttpRequestMessage to)
    {
        // Headers the Connection header names are hop-by-hop too (RFC 7230 6.1).
        var nominated = from.Headers.Connection.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in from.Headers)
        {
            if (NotForwarded.Contains(name) || nominated.Contains(name))
            {
                continue;
            }

            if (!to.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                to.Content!.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        if (from.ContentType is { Length: > 0 } contentType)
        {
            to.Content!.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        // Without a tracing exporter the span is the caller's own context (see TraceContext).
        var (traceId, traceState) = TraceContext.FromCaller(from.Headers.TraceParent.ToString(), from.Headers.TraceState.ToString());
        if (traceId.Length > 0)
        {
            to.Headers.TryAddWithoutValidation("traceparent", traceId);
            if (traceState.Length > 0)
            {
                to.Headers.TryAddWithoutValidation("tracestate", traceState);
            }
        }
    }

    // addCallerAndCalleeAppIDHeaderToMetadata; a remote call also gets addForwardedHeadersToMetadata.
    private static void AddInvocationHeaders(HttpRequestMessage request, string callerId, string calleeId, string? ns, bool local)
    {
        request.Headers.TryAddWithoutValidation("dapr-caller-namespace", ns ?? "");
        request.Headers.TryAddWithoutValidation("dapr-caller-app-id", callerId);
        request.Headers.TryAddWithoutValidation("dapr-callee-app-id", calleeId);
        if (!local)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", "127.0.0.1");
            request.Headers.TryAddWithoutValidation("X-Forwarded-Host", Environment.MachineName);
            request.Headers.TryAddWithoutValidation("Forwarded", $"for=127.0.0.1;by=127.0.0.1;host={Environment.MachineName}");
        }
    }

    // messages.ErrDirectInvoke: "failed to invoke, id: %s, err: %v", 500.
    private static DaprApiException Failed(string targetId, string error) =>
        new(Grpc.Core.StatusCode.Internal, 500, ErrorCode, $"failed to invoke, id: {targetId}, err: {error}");
}
