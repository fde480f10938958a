using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace OrderDapr.Command.Http;

// Reads a command body strictly: a number sent as a string, an unknown field or trailing garbage is
// a client error, not something to guess at. Every failure becomes a 400/415 problem, never a 500.
public static class JsonBody
{
    public const long MaxBytes = 64 * 1024;
    public const string ContentType = "application/json";

    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 16,
    };

    // What ReadAsync can answer; body-missing only where the body is required (no whenEmpty).
    public static IEnumerable<ProblemType> CanAnswer(bool bodyRequired) =>
        bodyRequired
            ? [ProblemCatalogue.BodyTooLarge, ProblemCatalogue.BodyMissing, ProblemCatalogue.UnsupportedMediaType, ProblemCatalogue.BodyInvalid]
            : [ProblemCatalogue.BodyTooLarge, ProblemCatalogue.UnsupportedMediaType, ProblemCatalogue.BodyInvalid];

    // whenEmpty: what an empty body means for a command whose body is optional; null = required.
    public static async Task<(T? Body, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, T? whenEmpty = null)
        where T : class
    {
        if (request.ContentLength > MaxBytes)
        {
            return (null, Problems.Create(ProblemCatalogue.BodyTooLarge, $"A command body may be at most {MaxBytes} bytes."));
        }

        byte[]? bytes;
        try
        {
            bytes = await ReadBoundedAsync(request);
        }
        catch (BadHttpRequestException)
        {
            // The client sent less than its Content-Length and stopped (or broke the chunked framing).
            return (null, Problems.Create(ProblemCatalogue.BodyInvalid, "The body ended before the length it announced, or its framing is broken."));
        }

        if (bytes is null)
        {
            return (null, Problems.Create(ProblemCatalogue.BodyTooLarge, $"A command body may be at most {MaxBytes} bytes."));
        }

        if (bytes.Length == 0)
        {
            return whenEmpty is not null
                ? (whenEmpty, null)
                : (null, Problems.Create(ProblemCatalogue.BodyMissing, "This command needs a JSON body."));
        }

        if (!request.HasJsonContentType())
        {
            return (null, Problems.Create(ProblemCatalogue.UnsupportedMediaType, "Send the body as application/json."));
        }

        try
        {
            var body = JsonSerializer.Deserialize<T>(bytes, Strict);
            return body is null
                ? (null, Problems.Create(ProblemCatalogue.BodyInvalid, "The body must be a JSON object."))
                : (body, null);
        }
        catch (JsonException ex)
        {
            var where = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "" : $" at {ex.Path}";
            return (null, Problems.Create(ProblemCatalogue.BodyInvalid, $"The body is not valid for this command{where}: {Describe(ex)}"));
        }
    }

    private static async Task<byte[]?> ReadBoundedAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    // System.Text.Json messages name CLR types; say what a client can act on instead.
    private static string Describe(JsonException ex) => ex.Message switch
    {
        var m when m.Contains("could not be mapped", StringComparison.Ordinal) => "unknown field.",
        var m when m.Contains("could not be converted", StringComparison.Ordinal) => "a value has the wrong type.",
        _ => "malformed JSON.",
    };
}
