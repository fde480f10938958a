using System.Text.Json.Nodes;
using DaprEmulator.Api;

namespace DaprEmulator.HttpApi;

// A DaprApiException as daprd writes it over HTTP (dapr/kit errors.Error.JSONErrorValue):
// {"errorCode": tag (or the ErrorInfo reason), "message": ..., "details": [...]}.
internal static class HttpErrors
{
    public static async Task WriteAsync(HttpContext http, DaprApiException e)
    {
        var body = new JsonObject { ["errorCode"] = e.ErrorCode, ["message"] = e.Message };
        var details = new JsonArray();
        if (e.Reason is not null)
        {
            var metadata = new JsonObject();
            foreach (var (k, v) in e.ReasonMetadata)
            {
                metadata[k] = v;
            }

            details.Add(new JsonObject
            {
                ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo",
                ["reason"] = e.Reason,
                ["domain"] = "dapr.io",
                ["metadata"] = metadata,
            });
        }

        if (e.Resource is { } resource)
        {
            details.Add(new JsonObject
            {
                ["@type"] = "type.googleapis.com/google.rpc.ResourceInfo",
                ["resource_type"] = resource.Type,
                ["resource_name"] = resource.Name,
                ["owner"] = "",
                ["description"] = e.Message,
            });
        }

        if (details.Count > 0)
        {
            body["details"] = details;
        }

        http.Response.StatusCode = e.HttpStatus;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(body.ToJsonString(), http.RequestAborted);
    }
}
