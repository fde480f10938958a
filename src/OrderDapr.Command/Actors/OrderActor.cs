using Dapr.Actors.Runtime;
using Microsoft.Extensions.Options;
using OrderDapr.Command.Domain;
using OrderDapr.Command.EventStore;
using OrderDapr.Command.StreamIndex;
using OrderDapr.Command.Telemetry;
using OrderDapr.Contracts;

namespace OrderDapr.Command.Actors;

// One actor per order: Dapr runs one call at a time per actor id, so the commands of an order are
// serialized without losing any. The ETag on the stream stays the backstop for the rare moment two
// hosts both believe they own the actor (placement rebalancing).
public sealed class OrderActor(
    ActorHost host,
    OrderStreamStore streams,
    StreamIndexWriter index,
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
        // Decide, append and publish under one span: its children are the calls to the sidecar.
        using var activity = CommandTelemetry.Source.StartActivity($"execute {request.Command.GetType().Name}");
        activity?.SetTag("orderdapr.order_id", OrderId);
        var outcome = await DecideAndAppendAsync(request);
        activity?.SetTag("orderdapr.outcome", outcome.Kind.ToString());
        activity?.SetTag("orderdapr.version", outcome.Version);
        return outcome;
    }

    private async Task<CommandOutcome> DecideAndAppendAsync(CommandRequest request)
    {
        var creationPrepared = false;
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
            var decision = OrderDecider.Decide(request.Command, state);

            // A missing order is answered as such before a stale If-Match, and a stale If-Match before
            // any other refusal: the client learns first what it can act on.
            if (decision is Decision.Reject { Why.Code: Rejection.OrderNotFound })
            {
                return new CommandOutcome(OutcomeKind.NotFound, OrderId, state.Version);
            }

            if (request.ExpectedVersion is { } expected && expected != state.Version)
            {
                return new CommandOutcome(OutcomeKind.VersionMismatch, OrderId, state.Version);
            }

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

            if (accepted.Event is OrderCreated && !creationPrepared)
            {
                // Both before the stream exists, so that neither can be missing once it does; if the
                // append then fails, each is harmless: readers of the index skip an id without a
                // stream, and the reminder finds no unpaid order. A failed index save fails the
                // command here, with nothing stored.
                await Task.WhenAll(
                    index.RecordAsync(OrderId),
                    RegisterReminderAsync(PaymentDeadlineReminder, null, options.Value.PaymentDeadline, options.Value.PaymentDeadlineRetryPeriod));
                creationPrepared = true;
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
