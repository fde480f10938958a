using Dapr.Actors;
using Dapr.Actors.Runtime;
using Microsoft.Extensions.Options;
using OrderDapr.Command.Domain;
using OrderDapr.Command.EventStore;
using OrderDapr.Contracts;

namespace OrderDapr.Command.Actors;

public interface IOrderActor : IActor
{
    Task<CommandOutcome> Execute(CommandRequest request);
}

// A command as the HTTP layer hands it to the order's actor.
// Fingerprint identifies the request body for Idempotency-Key checks; SuccessStatus is the
// HTTP status a first success answers with, kept so a replay can answer the same.
public sealed record CommandRequest(
    OrderCommand Command,
    int? ExpectedVersion = null,
    string? IdempotencyKey = null,
    string? Fingerprint = null,
    int SuccessStatus = StatusCodes.Status200OK);

public enum OutcomeKind
{
    Accepted,
    Replayed,
    Rejected,
    NotFound,
    VersionMismatch,
    IdempotencyKeyReused,
}

public sealed record CommandOutcome(
    OutcomeKind Kind,
    string OrderId,
    int Version,
    int StatusCode = StatusCodes.Status200OK,
    Rejection? Rejection = null);

public sealed class OrderOptions
{
    // How long a placed order may stay unpaid before it is cancelled with reason payment-timeout.
    public TimeSpan PaymentDeadline { get; set; } = TimeSpan.FromMinutes(30);
}

// One actor per order: Dapr runs one call at a time per actor id, so the commands of an order are
// serialized without losing any. The ETag on the stream stays the backstop for the rare moment two
// hosts both believe they own the actor (placement rebalancing).
public sealed class OrderActor(
    ActorHost host,
    OrderStreamStore streams,
    TimeProvider clock,
    IOptions<OrderOptions> options,
    ILogger<OrderActor> logger) : Actor(host), IOrderActor, IRemindable
{
    public const string TypeName = "OrderActor";
    private const string PaymentDeadlineReminder = "payment-deadline";
    private const int MaxAppendAttempts = 5;

    private string OrderId => Id.GetId();

    public async Task<CommandOutcome> Execute(CommandRequest request)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (stream, etag) = await streams.LoadAsync(OrderId, CancellationToken.None);

            if (request.IdempotencyKey is { } key && stream.Idempotency.TryGetValue(key, out var first))
            {
                return first.Fingerprint == request.Fingerprint
                    ? new CommandOutcome(OutcomeKind.Replayed, OrderId, first.Version, first.StatusCode)
                    : new CommandOutcome(OutcomeKind.IdempotencyKeyReused, OrderId, stream.Version);
            }

            var state = stream.Replay();
            if (!state.Exists && request.Command is not PlaceOrder)
            {
                return new CommandOutcome(OutcomeKind.NotFound, OrderId, 0);
            }

            if (request.ExpectedVersion is { } expected && expected != state.Version)
            {
                return new CommandOutcome(OutcomeKind.VersionMismatch, OrderId, state.Version);
            }

            var decision = OrderDecider.Decide(request.Command, state);
            if (decision is Decision.Reject reject)
            {
                return new CommandOutcome(OutcomeKind.Rejected, OrderId, state.Version, Rejection: reject.Why);
            }

            var accepted = (Decision.Accept)decision;
            var envelope = new EventEnvelope(
                Guid.NewGuid().ToString(),
                OrderId,
                stream.Version + 1,
                EventSerializer.TypeNameOf(accepted.Event),
                clock.GetUtcNow(),
                EventSerializer.ToData(accepted.Event));
            var idempotency = request.IdempotencyKey is { } newKey
                ? new Dictionary<string, IdempotencyRecord>(stream.Idempotency)
                {
                    [newKey] = new(request.Fingerprint ?? "", request.SuccessStatus, envelope.Version),
                }
                : stream.Idempotency;
            var next = stream with { Events = [.. stream.Events, envelope], Idempotency = idempotency };

            if (accepted.Event is OrderCreated)
            {
                // Registered before the append: if the append then fails, the reminder finds no
                // unpaid order and does nothing; the other way round an order could miss its deadline.
                await RegisterReminderAsync(PaymentDeadlineReminder, null, options.Value.PaymentDeadline, Timeout.InfiniteTimeSpan);
            }

            try
            {
                await streams.AppendAsync(stream, etag, envelope, next, CancellationToken.None);
            }
            catch (StreamConcurrencyException) when (request.ExpectedVersion is null && attempt < MaxAppendAttempts)
            {
                continue;
            }
            catch (StreamConcurrencyException race)
            {
                return new CommandOutcome(OutcomeKind.VersionMismatch, OrderId, race.CurrentVersion);
            }

            logger.LogInformation("Order {OrderId} appended {EventType} at version {Version}", OrderId, envelope.Type, envelope.Version);
            return new CommandOutcome(OutcomeKind.Accepted, OrderId, envelope.Version, request.SuccessStatus);
        }
    }

    public async Task ReceiveReminderAsync(string reminderName, byte[] state, TimeSpan dueTime, TimeSpan period)
    {
        if (reminderName != PaymentDeadlineReminder)
        {
            logger.LogWarning("Order {OrderId} got unknown reminder {Reminder}", OrderId, reminderName);
            return;
        }

        var outcome = await Execute(new CommandRequest(new ExpireUnpaidOrder()));
        logger.LogInformation("Order {OrderId} payment deadline passed: {Outcome}", OrderId, outcome.Kind);
    }
}
