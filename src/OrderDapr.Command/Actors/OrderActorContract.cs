using Dapr.Actors;
using OrderDapr.Command.Domain;

namespace OrderDapr.Command.Actors;

// What crosses the actor boundary: a command in, what became of it out.
public interface IOrderActor : IActor
{
    Task<CommandOutcome> Execute(CommandRequest request);
}

// A command as the HTTP layer hands it to the order's actor. Fingerprint identifies the request
// for Idempotency-Key checks. NewOrderId: the HTTP layer generated the order id for this
// request, so no stream can exist yet and the append inserts it without reading it first.
public sealed record CommandRequest(
    OrderCommand Command,
    int? ExpectedVersion = null,
    string? IdempotencyKey = null,
    string? Fingerprint = null,
    bool NewOrderId = false);

public enum OutcomeKind
{
    Accepted,
    Replayed,
    Rejected,
    NotFound,
    VersionMismatch,
    IdempotencyKeyReused,
}

// What became of a command, in domain terms: the HTTP layer maps it to a status code.
public sealed record CommandOutcome(OutcomeKind Kind, string OrderId, int Version, Rejection? Rejection = null);
