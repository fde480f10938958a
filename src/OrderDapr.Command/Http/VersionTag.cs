using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace OrderDapr.Command.Http;

// An order's version as an HTTP entity tag: "3" in ETag, and in If-Match to ask for that version.
public static class VersionTag
{
    // What Set writes and ReadIfMatch reads, as the OpenAPI document states them.
    public const string ETagPattern = """^"[0-9]+"$""";
    public const string IfMatchPattern = """^\s*(\*|(W/)?"[0-9]+")\s*$""";

    public static void Set(HttpResponse response, int version) => response.Headers.ETag = $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    // If-Match: "<version>" (a strong or weak entity tag holding the stream version), or * for any.
    public static (int? ExpectedVersion, ProblemHttpResult? Problem) ReadIfMatch(HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0 || header == "*")
        {
            return (null, null);
        }

        var tag = header.StartsWith("W/", StringComparison.Ordinal) ? header[2..] : header;
        if (tag.Length >= 2 && tag[0] == '"' && tag[^1] == '"'
            && int.TryParse(tag[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return (version, null);
        }

        return (null, Problems.Create(ProblemCatalogue.IfMatchInvalid,
            "If-Match must be a quoted order version such as \"3\", as sent in the ETag header."));
    }
}
