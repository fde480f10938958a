using DaprEmulator.Api;

namespace DaprEmulator.HttpApi;

// POST /v1.0/publish/{pubsubname}/{topic}: the body is the data, its Content-Type the data content
// type, query parameters metadata.<key> the metadata (pkg/api/http onPublish).
internal static class PublishEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, PublishApi api)
    {
        routes.MapPost("/v1.0/publish/{pubsubname}/{*topic}", (HttpContext http, string pubsubname, string? topic) => Endpoint.Run(http, async () =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body, http.RequestAborted);
            await api.PublishAsync(
                pubsubname, topic ?? "", body.ToArray(), http.Request.ContentType, RequestMetadata.FromQuery(http.Request),
                http.Request.Headers.TraceParent.ToString() is { Length: > 0 } tp ? tp : null,
                http.Request.Headers.TraceState.ToString() is { Length: > 0 } ts ? ts : null);
            Endpoint.NoContent(http);
        }));
    }
}
