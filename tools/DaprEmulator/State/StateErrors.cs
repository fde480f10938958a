namespace DaprEmulator.State;

public enum ETagErrorKind
{
    Mismatch,
    Invalid,
}

// components-contrib state.ETagError: daprd maps Mismatch to gRPC Aborted / HTTP 409 and Invalid
// to InvalidArgument / 400 (pkg/api/grpc getStateErrorCode, pkg/api/http etagError).
public sealed class StateETagException(ETagErrorKind kind, string? detail = null)
    : Exception(Format(kind, detail))
{
    public ETagErrorKind Kind { get; } = kind;

    private static string Format(ETagErrorKind kind, string? detail)
    {
        var prefix = kind == ETagErrorKind.Mismatch ? "possible etag mismatch. error from state store" : "invalid etag value";
        return detail is null ? prefix : $"{prefix}: {detail}";
    }
}

// Any other error of a state component (daprd answers Internal / HTTP 500).
public sealed class StateStoreException(string message) : Exception(message);
