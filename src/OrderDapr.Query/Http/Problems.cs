using Microsoft.AspNetCore.Http.HttpResults;

namespace OrderDapr.Query.Http;

// RFC 9457 problem details with a stable machine-readable `code` clients can switch on.
public static class Problems
{
    public static ProblemHttpResult Create(int status, string code, string title, string detail, IDictionary<string, object?>? extra = null)
    {
        var extensions = new Dictionary<string, object?>(extra ?? new Dictionary<string, object?>()) { ["code"] = code };
        return TypedResults.Problem(
            statusCode: status,
            title: title,
            detail: detail,
            // A URN: names the problem type without promising a page behind it (RFC 9457 §3.1.1).
            type: $"urn:orderdapr:problem:{code}",
            extensions: extensions);
    }

    public static ProblemHttpResult Invalid(string code, string detail) =>
        Create(StatusCodes.Status400BadRequest, code, "Invalid request", detail);

    public static ProblemHttpResult StoreUnavailable(string detail) =>
        Create(StatusCodes.Status503ServiceUnavailable, "store-unavailable", "The read-model store could not be reached", detail);
}
