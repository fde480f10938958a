using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace OrderDapr.Command.Http;

// The OpenAPI document of the public API (/openapi/v1.json) and its reference page (/scalar).
// Endpoints describe themselves with the conventions below; the sidecar-only routes are left out
// by RequireSidecar. The page is served whole from the app: Scalar.AspNetCore embeds its script,
// and everything that would reach out to the internet (fonts, telemetry, the AI agent, MCP, the
// hosted API client, the developer toolbar) is switched off.
public static class ApiDocument
{
    public const string DocumentRoute = "/openapi/{documentName}.json";
    public const string ReferenceRoute = "/scalar";
    private const string ProblemSchema = "Problem";

    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services
            // Numbers are numbers on the wire (responses write them so, JsonBody reads them strictly);
            // the web defaults, which also read them from strings, would document them as strings too.
            .ConfigureHttpJsonOptions(options => options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict)
            .AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "order-command",
                    Version = "v1",
                    Description = "The write side of OrderDapr: place orders and move them through their lifecycle; read an order's "
                        + "state and events straight from its event stream. Every error is an RFC 9457 problem "
                        + "(`application/problem+json`) with a machine-readable `code`, and changes nothing.",
                };
                return Task.CompletedTask;
            });
            options.AddSchemaTransformer(ApiSchemas.TransformAsync);
        });

    public static void MapApiDocument(this WebApplication app)
    {
        app.MapOpenApi(DocumentRoute);
        app.MapScalarApiReference(ReferenceRoute, options => options
            .WithTitle("order-command API")
            .WithOpenApiRoutePattern(DocumentRoute)
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp()
            .HideClientButton()
            .HideDeveloperTools());
    }

    // The problems this endpoint can answer, and an unexpected failure, which any can: one
    // response per status, whose schema lists the exact codes of that status as an enum.
    public static TBuilder Answers<TBuilder>(this TBuilder endpoint, params IEnumerable<ProblemType> problems)
        where TBuilder : IEndpointConventionBuilder
    {
        var byStatus = problems.Append(ProblemCatalogue.InternalError).Distinct().GroupBy(p => p.Status).OrderBy(g => g.Key).ToList();
        return endpoint.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            var operationId = operation.OperationId ?? throw new InvalidOperationException("A documented endpoint needs a name (WithName).");
            operation.Responses ??= [];
            foreach (var status in byStatus)
            {
                var codes = status.Select(p => p.Code).ToList();
                var schemaId = $"{operationId}Problem{status.Key}";
                context.Document!.AddComponent(schemaId, ProblemOf(context.Document, codes));
                operation.Responses[status.Key.ToString(CultureInfo.InvariantCulture)] = new OpenApiResponse
                {
                    Description = $"{ReasonPhrase(status.Key)}: `code` is {string.Join(", ", codes.Select(c => $"`{c}`"))}.",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(schemaId, context.Document) },
                    },
                };
            }

            return Task.CompletedTask;
        });
    }

    // The JSON body the handler reads itself (JsonBody). Not declared with Accepts: routing would
    // then refuse another media type itself, with a problem that has no code, before JsonBody can.
    public static RouteHandlerBuilder WithJsonBody<TBody>(this RouteHandlerBuilder endpoint, bool required) =>
        endpoint.AddOpenApiOperationTransformer(async (operation, context, ct) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(TBody), cancellationToken: ct);
            context.Document!.AddComponent(typeof(TBody).Name, schema);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = required,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [JsonBody.ContentType] = new() { Schema = new OpenApiSchemaReference(typeof(TBody).Name, context.Document) },
                },
            };
        });

    // Idempotency-Key in; on a success, Idempotent-Replayed out.
    public static TBuilder WithIdempotencyKey<TBuilder>(this TBuilder endpoint)
        where TBuilder : IEndpointConventionBuilder =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            AddParameter(operation, new OpenApiParameter
            {
                Name = IdempotencyKey.Header,
                In = ParameterLocation.Header,
                Description = "A key unique to this request. A retry with the same key and body gets the first answer again and "
                    + "appends nothing; the same key with another body is refused (422 `idempotency-key-reused`). Keys are scoped "
                    + "to an order; a key placing an order always places the same order id.",
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    MinLength = 1,
                    MaxLength = IdempotencyKey.MaxLength,
                    Pattern = IdempotencyKey.Pattern,
                },
            });
            AddSuccessHeader(operation, IdempotencyKey.ReplayedHeader, new OpenApiHeader
            {
                Description = "`true` when this is the stored answer to an earlier request with the same Idempotency-Key.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("true")] },
            });
            return Task.CompletedTask;
        });

    public static TBuilder WithIfMatch<TBuilder>(this TBuilder endpoint)
        where TBuilder : IEndpointConventionBuilder =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            AddParameter(operation, new OpenApiParameter
            {
                Name = "If-Match",
                In = ParameterLocation.Header,
                Description = "Run the command only if the order is at this version: the `ETag` of the last answer, such as `\"3\"`. "
                    + "If it has moved on, the answer is 412 `version-mismatch` with `currentVersion`. `*` or no header: any version.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = VersionTag.IfMatchPattern },
            });
            return Task.CompletedTask;
        });

    // ETag: the order's version after this answer.
    public static TBuilder WithVersionTag<TBuilder>(this TBuilder endpoint)
        where TBuilder : IEndpointConventionBuilder =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            AddSuccessHeader(operation, "ETag", new OpenApiHeader
            {
                Description = "The order's version as an entity tag, such as `\"3\"`: send it in If-Match to act on this version only.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = VersionTag.ETagPattern },
            });
            return Task.CompletedTask;
        });

    public static TBuilder WithLocation<TBuilder>(this TBuilder endpoint)
        where TBuilder : IEndpointConventionBuilder =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            AddSuccessHeader(operation, "Location", new OpenApiHeader
            {
                Description = "The order placed: `/orders/{orderId}`.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference" },
            });
            return Task.CompletedTask;
        });

    // Order ids are GUIDs; any other id names no order (404 `order-not-found`).
    public static TBuilder WithOrderIdParameter<TBuilder>(this TBuilder endpoint)
        where TBuilder : IEndpointConventionBuilder =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>().Where(p => p is { Name: "orderId", In: ParameterLocation.Path }))
            {
                parameter.Description = "The order's id, a GUID.";
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" };
            }

            return Task.CompletedTask;
        });

    public static TBuilder WithQueryParameter<TBuilder>(this TBuilder endpoint, string name, string description, OpenApiSchema schema)
        where TBuilder : IEndpointConventionBuilder =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            AddParameter(operation, new OpenApiParameter { Name = name, In = ParameterLocation.Query, Description = description, Schema = schema });
            return Task.CompletedTask;
        });

    private static void AddParameter(OpenApiOperation operation, OpenApiParameter parameter) =>
        (operation.Parameters ??= []).Add(parameter);

    private static void AddSuccessHeader(OpenApiOperation operation, string name, OpenApiHeader header)
    {
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (status.StartsWith('2') && response is OpenApiResponse success)
            {
                (success.Headers ??= new Dictionary<string, IOpenApiHeader>())[name] = header;
            }
        }
    }

    // A problem of this operation and status: the shared Problem shape, its code one of these.
    private static OpenApiSchema ProblemOf(OpenApiDocument document, IReadOnlyList<string> codes)
    {
        document.AddComponent(ProblemSchema, Problem());
        return new OpenApiSchema
        {
            AllOf =
            [
                new OpenApiSchemaReference(ProblemSchema, document),
                new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string> { "code" },
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. codes.Select(c => (JsonNode)JsonValue.Create(c))] },
                    },
                },
            ],
        };
    }

    // RFC 9457 problem details as Problems.Create and the exception handler write them.
    private static OpenApiSchema Problem() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "An RFC 9457 problem. Switch on `code`; `type` is `urn:orderdapr:problem:{code}`.",
        Required = new HashSet<string> { "type", "title", "status", "code" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference" },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What went wrong with this request, for people." },
            ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What went wrong, for programs: stable." },
            ["currentVersion"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Integer,
                Format = "int32",
                Description = "The order's version now: with `version-mismatch` and the 409 refusals.",
            },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "With `validation-failed`: the messages for each invalid field, by its path (`items[0].quantity`).",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
            ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The request's trace id, for the logs." },
        },
    };

    private static string ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
}
