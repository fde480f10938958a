using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using DaprEmulator.Hosting;

namespace DaprEmulator.HttpApi;

// GET /v1.0/metadata in daprd's JSON shape (pkg/api/http/metadata.go metadataResponse), and
// PUT /v1.0/metadata/{key} for the "extended" attributes.
internal static class MetadataEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, ISidecarMetadataSource source)
    {
        var extended = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        routes.MapGet("/v1.0/metadata", (HttpContext http) =>
        {
            var json = ToJson(source.Snapshot(), extended);
            http.Response.ContentType = "application/json";
            return http.Response.WriteAsync(json.ToJsonString(), http.RequestAborted);
        });
        routes.MapPut("/v1.0/metadata/{key}", async (HttpContext http, string key) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            extended[key] = await reader.ReadToEndAsync(http.RequestAborted);
            Endpoint.NoContent(http);
        });
    }

    private static JsonObject ToJson(SidecarMetadataSnapshot s, IReadOnlyDictionary<string, string> extended)
    {
        var json = new JsonObject
        {
            ["id"] = s.AppId,
            ["runtimeVersion"] = SidecarMetadataSnapshot.RuntimeVersion,
        };
        if (s.Actors.Count > 0)
        {
            json["actors"] = new JsonArray([.. s.Actors.Select(a => new JsonObject { ["type"] = a.Type, ["count"] = a.Count })]);
        }

        if (s.Components.Count > 0)
        {
            json["components"] = new JsonArray([.. s.Components.Select(c => new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["version"] = c.Version,
                ["capabilities"] = new JsonArray([.. c.Capabilities.Select(x => JsonValue.Create(x))]),
            })]);
        }

        if (extended.Count > 0)
        {
            var ext = new JsonObject();
            foreach (var (k, v) in extended)
            {
                ext[k] = v;
            }

            json["extended"] = ext;
        }

        if (s.Subscriptions.Count > 0)
        {
            json["subscriptions"] = new JsonArray([.. s.Subscriptions.Select(sub =>
            {
                var node = new JsonObject
                {
                    ["pubsubname"] = sub.PubSubName,
                    ["topic"] = sub.Topic,
                    ["rules"] = new JsonArray([.. sub.Rules.Select(r => new JsonObject { ["match"] = r.Match?.Text ?? "", ["path"] = r.Path })]),
                    ["type"] = "PROGRAMMATIC",
                };
                if (sub.Metadata.Count > 0)
                {
                    var md = new JsonObject();
                    foreach (var (k, v) in sub.Metadata)
                    {
                        md[k] = v;
                    }

                    node["metadata"] = md;
                }

                if (sub.DeadLetterTopic is not null)
                {
                    node["deadLetterTopic"] = sub.DeadLetterTopic;
                }

                return node;
            })]);
        }

        if (s.AppPort is { } port)
        {
            json["appConnectionProperties"] = new JsonObject { ["port"] = port, ["protocol"] = "http", ["channelAddress"] = "127.0.0.1" };
        }

        json["actorRuntime"] = new JsonObject
        {
            ["runtimeStatus"] = "RUNNING",
            ["hostReady"] = s.ActorHostReady,
        };
        if (s.Actors.Count > 0)
        {
            json["actorRuntime"]!["activeActors"] = new JsonArray([.. s.Actors.Select(a => new JsonObject { ["type"] = a.Type, ["count"] = a.Count })]);
        }

        return json;
    }
}
