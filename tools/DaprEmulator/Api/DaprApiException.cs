using Grpc.Core;

namespace DaprEmulator.Api;

// A Dapr API error as dapr/kit errors.Error carries it: one gRPC code, one HTTP status, a message,
// the legacy "errorCode" tag of the HTTP JSON body and the google.rpc.ErrorInfo reason (domain
// dapr.io) that both transports attach.
public sealed class DaprApiException(
    StatusCode grpcCode,
    int httpStatus,
    string errorCode,
    string message,
    string? reason = null,
    IReadOnlyDictionary<string, string>? reasonMetadata = null,
    (string Type, string Name)? resource = null) : Exception(message)
{
    public StatusCode GrpcCode { get; } = grpcCode;

    public int HttpStatus { get; } = httpStatus;

    public string ErrorCode { get; } = errorCode;

    public string? Reason { get; } = reason;

    public IReadOnlyDictionary<string, string> ReasonMetadata { get; } = reasonMetadata ?? new Dictionary<string, string>();

    public (string Type, string Name)? Resource { get; } = resource;
}
