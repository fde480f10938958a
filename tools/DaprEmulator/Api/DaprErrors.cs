using DaprEmulator.Components;
using DaprEmulator.State;
using Grpc.Core;

namespace DaprEmulator.Api;

// The errors daprd returns, with its codes and texts (pkg/api/errors, pkg/messages).
public static class DaprErrors
{
    public static DaprApiException StateStoreNotFound(string store, string appId) => new(
        StatusCode.InvalidArgument, 400, "ERR_STATE_STORE_NOT_FOUND", $"state store {store} is not found",
        "DAPR_STATE_NOT_FOUND", AppIdMetadata(appId));

    public static DaprApiException StateStoresNotConfigured(string store, string appId) => new(
        StatusCode.FailedPrecondition, 500, "ERR_STATE_STORE_NOT_CONFIGURED", $"state store {store} is not configured",
        "DAPR_STATE_NOT_CONFIGURED", AppIdMetadata(appId));

    public static DaprApiException InvalidKey(string store, InvalidStateKeyException e) => new(
        StatusCode.InvalidArgument, 400, "ERR_MALFORMED_REQUEST", e.Message, "DAPR_STATE_ILLEGAL_KEY", resource: ("state", store));

    // apierrors.Basic: no legacy tag, the ErrorInfo reason (e.g. ERR_STATE_SAVE) becomes the JSON errorCode.
    public static DaprApiException Basic(StatusCode code, int http, string errorCode, string message) =>
        new(code, http, errorCode, message, errorCode);

    public static DaprApiException PubSubNotFound(string pubsub) => new(
        StatusCode.InvalidArgument, 404, "ERR_PUBSUB_NOT_FOUND", $"pubsub {pubsub} is not found", "DAPR_PUBSUB_NOT_FOUND");

    public static DaprApiException PubSubNotConfigured(string pubsub) => new(
        StatusCode.FailedPrecondition, 400, "ERR_PUBSUB_NOT_CONFIGURED", $"pubsub {pubsub} is not configured", "DAPR_PUBSUB_NOT_CONFIGURED");

    public static DaprApiException PubSubNameEmpty() => new(
        StatusCode.InvalidArgument, 404, "ERR_PUBSUB_EMPTY", "pubsub name is empty", "DAPR_PUBSUB_NAME_EMPTY", resource: ("pubsub", ""));

    public static DaprApiException TopicEmpty(string pubsub) => new(
        StatusCode.InvalidArgument, 404, "ERR_TOPIC_NAME_EMPTY", $"topic is empty in pubsub {pubsub}", "DAPR_PUBSUB_TOPIC_NAME_EMPTY", resource: ("pubsub", pubsub));

    public static DaprApiException PubSubMetadata(string pubsub, string error) => new(
        StatusCode.InvalidArgument, 400, "ERR_PUBSUB_REQUEST_METADATA", $"failed deserializing metadata. Error: {error}",
        "DAPR_PUBSUB_METADATA_DESERIALIZATION", resource: ("pubsub", pubsub));

    public static DaprApiException PublishFailed(string pubsub, string topic, string error) => new(
        StatusCode.Internal, 500, "ERR_PUBSUB_PUBLISH_MESSAGE", $"error when publishing to topic {topic} in pubsub {pubsub}: {error}",
        "DAPR_PUBSUB_PUBLISH_MESSAGE", resource: ("pubsub", pubsub));

    public static DaprApiException Outbox(string appId, string error) => new(
        StatusCode.Internal, 500, "ERR_PUBLISH_OUTBOX", $"error while publishing outbox message: {error}",
        "DAPR_PUBSUB_OUTBOX", new Dictionary<string, string> { ["appID"] = appId, ["error"] = error });

    public static DaprApiException MalformedRequest(string message) => new(
        StatusCode.InvalidArgument, 400, "ERR_MALFORMED_REQUEST", message);

    // What no emulated component can serve: fail loudly rather than answer something daprd would not.
    public static DaprApiException NotEmulated(string what) => new(
        StatusCode.Unimplemented, 501, "ERR_NOT_SUPPORTED_BY_EMULATOR", $"{what} is not supported by the emulator");

    public static DaprApiException ComponentNotEmulated(ComponentDefinition c, string feature) =>
        NotEmulated($"{feature} on component {c.LogName}");

    private static Dictionary<string, string>? AppIdMetadata(string appId) =>
        appId.Length > 0 ? new Dictionary<string, string> { ["appID"] = appId } : null;
}
