using OrderDapr.Command.Domain;

namespace OrderDapr.Command.Http;

// One kind of problem: the stable `code` clients switch on, the status it comes with, its title.
public sealed record ProblemType(string Code, int Status, string Title);

// Every problem order-command answers. Problems.Create takes nothing else, and each endpoint
// declares the ones it can answer from here (ApiDocument.Answers), which is what the OpenAPI
// document lists for its operation: a code is either here, and documented, or not answered.
public static class ProblemCatalogue
{
    public static readonly ProblemType BodyMissing = new("body-missing", StatusCodes.Status400BadRequest, "Request body missing");
    public static readonly ProblemType BodyInvalid = new("body-invalid", StatusCodes.Status400BadRequest, "Invalid request body");
    public static readonly ProblemType ValidationFailed = new("validation-failed", StatusCodes.Status400BadRequest, "Invalid command");
    public static readonly ProblemType IdempotencyKeyInvalid = new("idempotency-key-invalid", StatusCodes.Status400BadRequest, "Invalid Idempotency-Key");
    public static readonly ProblemType IfMatchInvalid = new("if-match-invalid", StatusCodes.Status400BadRequest, "Invalid If-Match");
    public static readonly ProblemType VersionInvalid = new("version-invalid", StatusCodes.Status400BadRequest, "Invalid version");
    public static readonly ProblemType LimitInvalid = new("limit-invalid", StatusCodes.Status400BadRequest, "Invalid limit");
    public static readonly ProblemType CursorInvalid = new("cursor-invalid", StatusCodes.Status400BadRequest, "Invalid cursor");
    public static readonly ProblemType SidecarOnly = new("sidecar-only", StatusCodes.Status401Unauthorized, "Only the Dapr sidecar may call this");
    public static readonly ProblemType OrderNotFound = new(Rejection.OrderNotFound, StatusCodes.Status404NotFound, "Order not found");
    public static readonly ProblemType VersionNotFound = new("version-not-found", StatusCodes.Status404NotFound, "Version not found");
    public static readonly ProblemType VersionMismatch = new("version-mismatch", StatusCodes.Status412PreconditionFailed, "Order has moved on");
    public static readonly ProblemType BodyTooLarge = new("body-too-large", StatusCodes.Status413PayloadTooLarge, "Request body too large");
    public static readonly ProblemType UnsupportedMediaType = new("unsupported-media-type", StatusCodes.Status415UnsupportedMediaType, "Unsupported media type");
    public static readonly ProblemType IdempotencyKeyReused = new("idempotency-key-reused", StatusCodes.Status422UnprocessableEntity, "Idempotency-Key reused");

    // What the exception handler answers when something failed unexpectedly (the sidecar or the
    // store unreachable, say): any operation can.
    public static readonly ProblemType InternalError = new("internal-error", StatusCodes.Status500InternalServerError, "An error occurred while processing your request.");

    // The decider's refusals of a command (OrderDecider.Refusals): 409, except that a missing order
    // is the 404 every other route answers for one.
    public static IEnumerable<ProblemType> RefusalsOf<TCommand>()
        where TCommand : OrderCommand =>
        OrderDecider.Refusals[typeof(TCommand)].Select(Refusal);

    public static ProblemType Refusal(string code) =>
        code == Rejection.OrderNotFound ? OrderNotFound : new(code, StatusCodes.Status409Conflict, "Command refused");
}
