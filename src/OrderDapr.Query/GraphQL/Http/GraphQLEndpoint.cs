using System.Text.Json;
using GraphQL;
using GraphQL.Transport;
using GraphQLParser.AST;
using Microsoft.Net.Http.Headers;
using OrderDapr.Query.Http;

namespace OrderDapr.Query.GraphQL.Http;

// GraphQL over HTTP (graphql.github.io/graphql-over-http) without GraphQL.Server: POST with
// a JSON body, GET with query parameters (queries only), and the two response media types.
public static class GraphQLEndpoint
{
    public const string GraphQLResponseMediaType = "application/graphql-response+json";
    public const int MaxBodyBytes = 64 * 1024;

    public static async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var services = context.RequestServices;
        var serializer = services.GetRequiredService<IGraphQLTextSerializer>();
        var mediaType = ResponseMediaType(request);

        GraphQLRequest? graphQLRequest;
        int status;
        string? error;
        try
        {
            (graphQLRequest, status, error) = HttpMethods.IsGet(request.Method)
                ? ReadGet(request, serializer)
                : await ReadPostAsync(request, serializer, context.RequestAborted);
        }
        catch (BadHttpRequestException ex)
        {
            // The client sent less than it announced (it went away mid-body, or its body broke the
            // framing): its mistake, not ours. Tell it, if it still listens.
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GraphQLEndpoint))
                .LogDebug(ex, "GraphQL request body could not be read");
            if (!context.RequestAborted.IsCancellationRequested)
            {
                await Problems.Create(ex.StatusCode, "unreadable-body", "The request body could not be read", ex.Message).ExecuteAsync(context);
            }

            return;
        }

        if (graphQLRequest is null)
        {
            if (status == StatusCodes.Status405MethodNotAllowed)
            {
                context.Response.Headers.Allow = HttpMethods.Post;
            }

            await WriteAsync(context, serializer, mediaType, status, Failed(error!));
            return;
        }

        var result = await GraphQLExecution.ExecuteAsync(services, graphQLRequest, context.RequestAborted);

        // Not executed = a request error (syntax, validation, variables): no `data` entry.
        // application/graphql-response+json signals it with 400; application/json always says 200.
        var code = !result.Executed && mediaType == GraphQLResponseMediaType ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK;
        await WriteAsync(context, serializer, mediaType, code, result);
    }

    private static (GraphQLRequest? Request, int Status, string? Error) ReadGet(HttpRequest request, IGraphQLTextSerializer serializer)
    {
        var query = request.Query["query"].ToString();
        if (string.IsNullOrWhiteSpace(query))
        {
            return (null, StatusCodes.Status400BadRequest, "The request has no query parameter.");
        }

        var operationName = request.Query["operationName"].ToString();
        var graphQLRequest = new GraphQLRequest
        {
            Query = query,
            OperationName = string.IsNullOrEmpty(operationName) ? null : operationName,
        };

        try
        {
            if (request.Query["variables"].ToString() is { Length: > 0 } variables)
            {
                graphQLRequest.Variables = serializer.Deserialize<Inputs>(variables);
            }

            if (request.Query["extensions"].ToString() is { Length: > 0 } extensions)
            {
                graphQLRequest.Extensions = serializer.Deserialize<Inputs>(extensions);
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException)
        {
            return (null, StatusCodes.Status400BadRequest, "variables and extensions must be JSON objects.");
        }

        // GET must not change state (GraphQL over HTTP): a mutation is only accepted over POST.
        return IsMutation(query, graphQLRequest.OperationName)
            ? (null, StatusCodes.Status405MethodNotAllowed, "Mutations are only accepted over POST.")
            : (graphQLRequest, StatusCodes.Status200OK, null);
    }

    private static async Task<(GraphQLRequest? Request, int Status, string? Error)> ReadPostAsync(
        HttpRequest request, IGraphQLTextSerializer serializer, CancellationToken cancellationToken)
    {
        // Only application/json: a form or text/plain POST is a "simple" cross-site request.
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, StatusCodes.Status415UnsupportedMediaType, "POST a JSON body with Content-Type: application/json.");
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, StatusCodes.Status413PayloadTooLarge, $"The body exceeds {MaxBodyBytes} bytes.");
        }

        var body = await ReadAtMostAsync(request.Body, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return (null, StatusCodes.Status413PayloadTooLarge, $"The body exceeds {MaxBodyBytes} bytes.");
        }

        GraphQLRequest? graphQLRequest;
        try
        {
            graphQLRequest = await serializer.ReadAsync<GraphQLRequest>(new MemoryStream(body), cancellationToken);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException)
        {
            return (null, StatusCodes.Status400BadRequest, "The body is not a JSON GraphQL request.");
        }

        return string.IsNullOrWhiteSpace(graphQLRequest?.Query)
            ? (null, StatusCodes.Status400BadRequest, "The request has no query.")
            : (graphQLRequest, StatusCodes.Status200OK, null);
    }

    // Null when the stream holds more than `limit` bytes (also when chunked, without Content-Length).
    private static async Task<byte[]?> ReadAtMostAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static bool IsMutation(string query, string? operationName)
    {
        GraphQLDocument document;
        try
        {
            document = GraphQLParser.Parser.Parse(query);
        }
        catch (GraphQLParser.Exceptions.GraphQLSyntaxErrorException)
        {
            return false; // the executer reports the syntax error
        }

        var operations = document.Definitions.OfType<GraphQLOperationDefinition>().ToList();
        var operation = operationName is null
            ? operations.Count == 1 ? operations[0] : null
            : operations.FirstOrDefault(o => o.Name is not null && o.Name.StringValue == operationName);
        return operation?.Operation == OperationType.Mutation;
    }

    // application/graphql-response+json when the client accepts it, else the legacy application/json.
    private static string ResponseMediaType(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a =>
            a.MediaType.Equals(GraphQLResponseMediaType, StringComparison.OrdinalIgnoreCase) && a.Quality is not 0)
            ? GraphQLResponseMediaType
            : "application/json";

    private static ExecutionResult Failed(string message) => new() { Errors = [new ExecutionError(message)] };

    private static async Task WriteAsync(HttpContext context, IGraphQLTextSerializer serializer, string mediaType, int status, ExecutionResult result)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = $"{mediaType}; charset=utf-8";
        await serializer.WriteAsync(context.Response.Body, result, context.RequestAborted);
    }
}
