using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace OrderDapr.Command.Tests.Hosting;

// What /openapi/v1.json says about each operation, read with OpenAPI.NET's own reader: the
// statuses it answers, the problem codes of each error status, the headers of each success.
public sealed record DocumentedOperation(
    string Id,
    HttpMethod Method,
    string Path,
    OpenApiOperation Operation,
    IReadOnlyDictionary<int, IReadOnlySet<string>> Codes,
    IReadOnlyDictionary<int, IReadOnlySet<string>> SuccessHeaders)
{
    public IEnumerable<int> Statuses => Codes.Keys.Concat(SuccessHeaders.Keys);
}

public sealed record DocumentedApi(ReadResult Read, IReadOnlyDictionary<string, DocumentedOperation> Operations)
{
    public const string Route = "/openapi/v1.json";
    public const string ProblemJson = "application/problem+json";

    public OpenApiDocument Document => Read.Document!;

    public static async Task<DocumentedApi> FetchAsync(HttpClient client)
    {
        using var served = await client.GetAsync(Route);
        Assert.Equal(System.Net.HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("application/json", served.Content.Headers.ContentType?.MediaType);
        var read = OpenApiDocument.Parse(await served.Content.ReadAsStringAsync(), OpenApiConstants.Json);
        Assert.Empty(read.Diagnostic?.Errors ?? []);
        Assert.NotNull(read.Document);

        var operations = new Dictionary<string, DocumentedOperation>();
        foreach (var (path, item) in read.Document.Paths)
        {
            foreach (var (method, operation) in item.Operations ?? [])
            {
                var id = operation.OperationId ?? throw new InvalidOperationException($"{method} {path} has no operationId.");
                var codes = new Dictionary<int, IReadOnlySet<string>>();
                var headers = new Dictionary<int, IReadOnlySet<string>>();
                foreach (var (status, response) in operation.Responses ?? [])
                {
                    var code = int.Parse(status, System.Globalization.CultureInfo.InvariantCulture);
                    if (code >= 400)
                    {
                        codes[code] = CodesOf(id, code, response);
                    }
                    else
                    {
                        headers[code] = new HashSet<string>((response.Headers ?? new Dictionary<string, IOpenApiHeader>()).Keys, StringComparer.OrdinalIgnoreCase);
                    }
                }

                operations.Add(id, new DocumentedOperation(id, method, path, operation, codes, headers));
            }
        }

        return new DocumentedApi(read, operations);
    }

    // An error response documents its codes as the enum of `code` in its problem schema (one of
    // its allOf parts).
    private static HashSet<string> CodesOf(string operation, int status, IOpenApiResponse response)
    {
        var content = response.Content ?? new Dictionary<string, OpenApiMediaType>();
        Assert.True(content.ContainsKey(ProblemJson), $"{operation} {status} is not documented as {ProblemJson}.");
        var schema = content[ProblemJson].Schema!;
        var codes = (schema.AllOf ?? [])
            .Append(schema)
            .Select(s => s.Properties?.TryGetValue("code", out var code) == true ? code.Enum : null)
            .SingleOrDefault(e => e is { Count: > 0 });
        Assert.True(codes is not null, $"{operation} {status} lists no codes.");
        return [.. codes.Select(c => c.GetValue<string>())];
    }
}
