using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprEmulator.Api;
using DaprEmulator.State;
using Grpc.Core;

namespace DaprEmulator.HttpApi;

// The state HTTP API (pkg/api/http/http.go onGetState, onPostState, onDeleteState,
// onBulkGetState, onPostStateTransaction). Values arrive as JSON and are stored the way the
// component marshals them.
internal static class StateEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, StateApi api)
    {
        routes.MapGet("/v1.0/state/{storename}/{key}", (HttpContext http, string storename, string key) => Endpoint.Run(http, async () =>
        {
            var entry = await api.GetAsync(storename, key, http: true);
            if (entry is null)
            {
                Endpoint.NoContent(http);
                return;
            }

            http.Response.Headers.ETag = entry.ETag;
            foreach (var (k, v) in entry.Metadata ?? new Dictionary<string, string>())
            {
                http.Response.Headers[$"metadata.{k}"] = v;
            }

            http.Response.StatusCode = 200;
            await http.Response.Body.WriteAsync(entry.Value, http.RequestAborted);
        }));

        routes.MapPost("/v1.0/state/{storename}", (HttpContext http, string storename) => Endpoint.Run(http, async () =>
        {
            var items = await ReadAsync<List<StateItemJson>>(http);
            var query = RequestMetadata.FromQuery(http.Request);
            await api.SaveAsync(storename, [.. items.Select(i => ToSet(i, query))], http: true);
            Endpoint.NoContent(http);
        }));

        routes.MapDelete("/v1.0/state/{storename}/{key}", (HttpContext http, string storename, string key) => Endpoint.Run(http, async () =>
        {
            var ifMatch = http.Request.Headers.IfMatch;
            await api.DeleteAsync(storename, new DeleteOperation(key)
            {
                ETag = ifMatch.Count > 0 ? ifMatch.ToString() : null,
                Metadata = RequestMetadata.FromQuery(http.Request),
                Concurrency = http.Request.Query["concurrency"].ToString(),
                Consistency = http.Request.Query["consistency"].ToString(),
            }, http: true);
            Endpoint.NoContent(http);
        }));

        routes.MapPost("/v1.0/state/{storename}/bulk", (HttpContext http, string storename) => Endpoint.Run(http, async () =>
        {
            var request = await ReadAsync<BulkGetJson>(http);
            var items = await api.BulkGetAsync(storename, request.Keys ?? [], http: true);
            var result = new JsonArray([.. items.Select(i =>
            {
                var node = new JsonObject { ["key"] = i.Key };
                if (i.Error is not null)
                {
                    node["error"] = i.Error;
                }
                else if (i.Entry is { } entry)
                {
                    node["data"] = ParseOrString(entry.Value);
                    node["etag"] = entry.ETag;
                    if (entry.Metadata is { } md)
                    {
                        node["metadata"] = new JsonObject([.. md.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value))]);
                    }
                }

                return node;
            })]);
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(result.ToJsonString(), http.RequestAborted);
        }));

        routes.MapMethods("/v1.0/state/{storename}/transaction", ["POST", "PUT"], (HttpContext http, string storename) => Endpoint.Run(http, async () =>
        {
            var request = await ReadAsync<TransactionJson>(http);
            var operations = new List<StateOperation>();
            foreach (var op in request.Operations ?? [])
            {
                var item = op.Request ?? new StateItemJson(null, null, null, null, null);
                operations.Add(op.Operation switch
                {
                    "upsert" => ToSet(item, new Dictionary<string, string>()),
                    "delete" => new DeleteOperation(item.Key ?? "")
                    {
                        ETag = item.Etag,
                        Metadata = item.Metadata ?? [],
                        Concurrency = item.Options?.Concurrency ?? "",
                        Consistency = item.Options?.Consistency ?? "",
                    },
                    _ => throw DaprErrors.Basic(StatusCode.Unimplemented, 400, "ERR_NOT_SUPPORTED_STATE_OPERATION", $"operation type {op.Operation} not supported"),
                });
            }

            await api.TransactAsync(storename, operations, http.Request.Headers.TraceParent.ToString(), http.Request.Headers.TraceState.ToString(), http: true);
            Endpoint.NoContent(http);
        }));
    }

    private static SetOperation ToSet(StateItemJson item, Dictionary<string, string> query)
    {
        var metadata = new Dictionary<string, string>(item.Metadata ?? [], StringComparer.Ordinal);
        foreach (var (k, v) in query)
        {
            metadata[k] = v;
        }

        var value = item.Value is { } v2 ? Encoding.UTF8.GetBytes(v2.GetRawText()) : "null"u8.ToArray();
        return new SetOperation(item.Key ?? "", value, ValueIsJson: true)
        {
            ETag = item.Etag,
            Metadata = metadata,
            Concurrency = item.Options?.Concurrency ?? "",
            Consistency = item.Options?.Consistency ?? "",
        };
    }

    private static async Task<T> ReadAsync<T>(HttpContext http)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(http.Request.Body, JsonOptions, http.RequestAborted)
                ?? throw DaprErrors.MalformedRequest("failed deserializing HTTP body: empty body");
        }
        catch (JsonException e)
        {
            throw DaprErrors.MalformedRequest($"failed deserializing HTTP body: {e.Message}");
        }
    }

    private static JsonNode? ParseOrString(byte[] data)
    {
        try
        {
            return JsonNode.Parse(data);
        }
        catch (JsonException)
        {
            return Encoding.UTF8.GetString(data);
        }
    }

    // Go decodes JSON field names ignoring case.
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true };

    private sealed record StateItemJson(string? Key, JsonElement? Value, string? Etag, Dictionary<string, string>? Metadata, OptionsJson? Options);

    private sealed record OptionsJson(string? Concurrency, string? Consistency);

    private sealed record BulkGetJson(List<string>? Keys, int Parallelism, Dictionary<string, string>? Metadata);

    private sealed record TransactionOperationJson(string? Operation, StateItemJson? Request);

    private sealed record TransactionJson(List<TransactionOperationJson>? Operations, Dictionary<string, string>? Metadata);
}
