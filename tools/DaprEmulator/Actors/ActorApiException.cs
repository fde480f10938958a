namespace DaprEmulator.Actors;

// An error of the actor API, answered as daprd answers it: the HTTP status and the JSON body
// {"errorCode":"ERR_...","message":"..."} of pkg/messages/predefined.go. The factories alike in
// shape are that table's rows, one per row, written out so each can be checked against it.
internal sealed class ActorApiException(int statusCode, string errorCode, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public int StatusCode { get; } = statusCode;

    public string ErrorCode { get; } = errorCode;

    public static ActorApiException MalformedRequest(string detail) =>
        new(StatusCodes.Status400BadRequest, "ERR_MALFORMED_REQUEST", $"failed deserializing HTTP body: {detail}");

    public static ActorApiException RuntimeNotFound() =>
        new(StatusCodes.Status500InternalServerError, "ERR_ACTOR_RUNTIME_NOT_FOUND",
            "the state store is not configured to use the actor runtime. Have you set the - name: actorStateStore value: \"true\" in your state store component file?");

    public static ActorApiException InstanceMissing() =>
        new(StatusCodes.Status400BadRequest, "ERR_ACTOR_INSTANCE_MISSING", "actor instance is missing");

    public static ActorApiException Invoke(string detail) =>
        new(StatusCodes.Status500InternalServerError, "ERR_ACTOR_INVOKE_METHOD", $"error invoke actor method: {detail}");

    public static ActorApiException StateGet(string detail) =>
        new(StatusCodes.Status500InternalServerError, "ERR_ACTOR_STATE_GET", $"error getting actor state: {detail}");

    public static ActorApiException StateTransaction(string detail) =>
        new(StatusCodes.Status500InternalServerError, "ERR_ACTOR_STATE_TRANSACTION_SAVE", $"error saving actor transaction state: {detail}");

    public static ActorApiException ReminderNotHosted() =>
        new(StatusCodes.Status403Forbidden, "ERR_ACTOR_REMINDER_NON_HOSTED",
            "operations on actor reminders are only possible on hosted actor types");

    public static ActorApiException ReminderCreate(string detail) =>
        new(StatusCodes.Status500InternalServerError, "ERR_ACTOR_REMINDER_CREATE", $"error creating actor reminder: {detail}");

    public static ActorApiException ReminderDelete(string detail) =>
        new(StatusCodes.Status500InternalServerError, "ERR_ACTOR_REMINDER_DELETE", $"error deleting actor reminder: {detail}");

    public static ActorApiException ReminderNotFound(string name) =>
        new(StatusCodes.Status404NotFound, "ERR_ACTOR_REMINDER_NOT_FOUND", $"actor reminder not found: {name}");

    public static ActorApiException ReminderAlreadyExists(string name) =>
        new(StatusCodes.Status409Conflict, "ERR_ACTOR_REMINDER_ALREADY_EXISTS", $"actor reminder already exists: {name}");

    public static ActorApiException TimerCreate(string detail) =>
        new(StatusCodes.Status500InternalServerError, "ERR_ACTOR_TIMER_CREATE", $"error creating actor timer: {detail}");

    public static ActorApiException RuntimeClosed() =>
        new(StatusCodes.Status503ServiceUnavailable, "ERR_ACTOR_RUNTIME_CLOSED", "actor runtime is closed");

    // Not a daprd error: what the emulator answers for the parts of the actor API it leaves out.
    public static ActorApiException NotSupported(string what) =>
        new(StatusCodes.Status501NotImplemented, "ERR_API_UNIMPLEMENTED", $"{what} is not supported by the emulator");
}
