using Microsoft.AspNetCore.Http.HttpResults;

namespace OrderDapr.Command.Http;

// RFC 9457 problem details with a stable machine-readable `code` clients can switch on, one of
// ProblemCatalogue's.
public static class Problems
{
    public static ProblemHttpResult Create(ProblemType problem, string detail, IDictionary<string, object?>? extra = null)
    {
        var extensions = new Dictionary<string, object?>(extra ?? new Dictionary<string, object?>()) { ["code"] = problem.Code };
        return TypedResults.Problem(
            statusCode: problem.Status,
            title: problem.Title,
            detail: detail,
            type: TypeOf(problem),
            extensions: extensions);
    }

    public static ProblemHttpResult OrderNotFound(string orderId) =>
        Create(ProblemCatalogue.OrderNotFound, $"There is no order {orderId}.");

    public static ProblemHttpResult Invalid(IDictionary<string, string[]> errors) =>
        Create(ProblemCatalogue.ValidationFailed, "One or more fields are invalid.",
            new Dictionary<string, object?> { ["errors"] = errors });

    // The exception handler writes its 500 through the problem details service, without a code:
    // give it the catalogue's, so that every error a client gets carries one.
    public static void AddCodeToUnhandled(ProblemDetailsContext context)
    {
        if (context.Exception is not null && context.ProblemDetails.Status == ProblemCatalogue.InternalError.Status)
        {
            context.ProblemDetails.Type = TypeOf(ProblemCatalogue.InternalError);
            context.ProblemDetails.Extensions["code"] = ProblemCatalogue.InternalError.Code;
        }
    }

    // A URN: names the problem type without promising a page behind it (RFC 9457 §3.1.1).
    public static string TypeOf(ProblemType problem) => $"urn:orderdapr:problem:{problem.Code}";
}
