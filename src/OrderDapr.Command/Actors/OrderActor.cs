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

// A command as the HTTP layer hands it to the order's actor. Fingerprint identifies the request
// body for Idempotency-Key checks. NewOrderId: the HTTP layer generated the order id for this
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

    // The deadline reminder repeats until it has done its work once: daprd's Scheduler drops a
    // trigger whose callback failed 3 times, 1 s apart (its default failure policy), and Dapr.Actors
    // cannot register a reminder with another policy. The next period tries again.
    private static readonly TimeSpan PaymentDeadlineRetryPeriod = TimeSpan.FromMinutes(1);

    private string OrderId => Id.GetId();

    public async Task<CommandOutcome> Execute(CommandRequest request)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (stream, etag) = request.NewOrderId && attempt == 1
                ? (OrderStream.Empty(OrderId), null)
                : await streams.LoadAsync(OrderId, CancellationToken.None);

            if (request.IdempotencyKey is { } key && stream.Idempotency.TryGetValue(key, out var first))
            {
                return first.Fingerprint == request.Fingerprint
                    ? new CommandOutcome(OutcomeKind.Replayed, OrderId, first.Version)
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
                return new CommandOutcome(OutcomeKind.Rejected, OrderId, state.Version, reject.Why);
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
                    [newKey] = new(request.Fingerprint ?? "", envelope.Version),
                }
                : stream.Idempotency;
            var next = stream with { Events = [.. stream.Events, envelope], Idempotency = idempotency };

            if (accepted.Event is OrderCreated)
            {
                // Registered before the append: if the append then fails, the reminder finds no
                // unpaid order and does nothing; the other way round an order could miss its deadline.
                await RegisterReminderAsync(PaymentDeadlineReminder, null, options.Value.PaymentDeadline, PaymentDeadlineRetryPeriod);
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

            logger.LogDebug("Order {OrderId} appended {EventType} at version {Version}", OrderId, envelope.Type, envelope.Version);
            if (accepted.Event is OrderPaid or OrderCancelled && request.Command is not ExpireUnpaidOrder)
            {
                await ForgetPaymentDeadlineAsync();
            }

            return new CommandOutcome(OutcomeKind.Accepted, OrderId, envelope.Version);
        }
    }

    public async Task ReceiveReminderAsync(string reminderName, byte[] state, TimeSpan dueTime, TimeSpan period)
    {
        if (reminderName != PaymentDeadlineReminder)
        {
            logger.LogWarning("Order {OrderId} got unknown reminder {Reminder}", OrderId, reminderName);
            return;
        }

        // An exception here fails the callback: the Scheduler retries it, then the next period does.
        var outcome = await Execute(new CommandRequest(new ExpireUnpaidOrder()));
        logger.LogInformation("Order {OrderId} payment deadline passed: {Outcome}", OrderId, outcome.Kind);
        if (outcome.Kind != OutcomeKind.VersionMismatch)
        {
            // Cancelled now, or no longer awaiting payment: the deadline has nothing left to do.
            await UnregisterReminderAsync(PaymentDeadlineReminder);
        }
    }

    // A paid or cancelled order has no deadline left. Best effort: should this fail, the reminder
    // fires at the deadline, finds nothing to do and unregisters itself.
    private async Task ForgetPaymentDeadlineAsync()
    {
        try
        {
            await UnregisterReminderAsync(PaymentDeadlineReminder);
        }
        catch (Exception ex) when (ex is HttpRequestException or Dapr.DaprApiException)
        {
            logger.LogWarning(ex, "Order {OrderId}: unregistering its payment deadline failed; it will end itself when due", OrderId);
        }
    }
}
