using System.Text.Json;
using OrderDapr.Contracts;
using OrderDapr.Query.ReadModel;

namespace OrderDapr.Query.Projections;

public enum ProjectionOutcome
{
    // The event (and any pending successors) changed the view.
    Applied,

    // The event arrived before its predecessors and waits in Pending.
    Buffered,

    // Already applied or already pending: nothing to write.
    Duplicate,

    // Too many events wait for a missing predecessor: ask the broker to redeliver later.
    PendingFull,

    // Malformed, of an unknown type, or missing data: no retry can help.
    Poison,

    // The read model could not be written (store failure, or a conflict that outlived the
    // retries): ask the broker to redeliver.
    NotCommitted,
}

public sealed record ProjectionResult(ProjectionOutcome Outcome, OrderView View);

// A delivered envelope with its event, read once.
public sealed record ParsedEvent(EventEnvelope Envelope, OrderEvent Event);

// The event could never be applied (malformed, unknown type, impossible key): retrying cannot help.
public sealed class PoisonEventException(string message, Exception? inner = null) : Exception(message, inner);

// Pure: (view, envelope) -> view. Delivery is at-least-once and unordered, so each envelope is
// placed by its stream version: applied when it is next, buffered when early, ignored when seen.
public static class OrderViewProjection
{
    public const int MaxPending = 64;

    public static ProjectionResult Apply(OrderView view, ParsedEvent parsed)
    {
        var (envelope, @event) = parsed;
        if (envelope.Version <= view.Version || view.Pending.Any(p => p.Version == envelope.Version))
        {
            return new ProjectionResult(ProjectionOutcome.Duplicate, view);
        }

        if (envelope.Version > view.Version + 1)
        {
            if (view.Pending.Count >= MaxPending)
            {
                return new ProjectionResult(ProjectionOutcome.PendingFull, view);
            }

            var pending = view.Pending.Append(envelope).OrderBy(p => p.Version).ToList();
            return new ProjectionResult(ProjectionOutcome.Buffered, view with { Pending = pending });
        }

        return new ProjectionResult(ProjectionOutcome.Applied, Drain(Evolve(view, @event, envelope)));
    }

    // Validates an envelope and reads its event, upcasting retired shapes.
    public static ParsedEvent Parse(EventEnvelope envelope)
    {
        if (string.IsNullOrWhiteSpace(envelope.OrderId) || !ReadModelKeys.IsValidId(envelope.OrderId))
        {
            throw new PoisonEventException($"Envelope has no usable orderId: '{envelope.OrderId}'.");
        }

        if (envelope.Version < 1 || string.IsNullOrEmpty(envelope.Type) || envelope.Data.ValueKind != JsonValueKind.Object)
        {
            throw new PoisonEventException($"Envelope of order {envelope.OrderId} lacks a version, type or data object.");
        }

        OrderEvent @event;
        try
        {
            @event = EventSerializer.FromEnvelope(envelope);
        }
        catch (Exception ex) when (ex is JsonException or UnknownEventTypeException or NotSupportedException
                                       or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new PoisonEventException($"Event {envelope.Type} v{envelope.Version} of order {envelope.OrderId} cannot be read.", ex);
        }

        // System.Text.Json leaves missing members null whatever the annotations say.
        var complete = @event switch
        {
            OrderCreated c => !string.IsNullOrEmpty(c.CustomerId) && ReadModelKeys.IsValidId(c.CustomerId)
                              && c.Currency is not null && c.Items is not null
                              && c.Items.All(i => i is not null && i.ProductId is not null),
            OrderPaid p => p.PaymentId is not null,
            OrderShipped s => s.TrackingNumber is not null,
            _ => true,
        };

        return complete
            ? new ParsedEvent(envelope, @event)
            : throw new PoisonEventException($"Event {envelope.Type} v{envelope.Version} of order {envelope.OrderId} misses required data.");
    }

    private static OrderView Evolve(OrderView view, OrderEvent @event, EventEnvelope envelope)
    {
        var evolved = @event switch
        {
            OrderCreated created => view with
            {
                CustomerId = created.CustomerId,
                Status = OrderStatus.Created,
                Total = created.Total,
                Currency = created.Currency,
                Items = created.Items.Select(i => new OrderItemView(i.ProductId, i.Quantity, i.UnitPrice)).ToList(),
                CreatedAt = envelope.OccurredAt,
            },
            OrderPaid paid => view with { Status = OrderStatus.Paid, PaymentId = paid.PaymentId },
            OrderShipped shipped => view with { Status = OrderStatus.Shipped, TrackingNumber = shipped.TrackingNumber },
            OrderDelivered => view with { Status = OrderStatus.Delivered },
            OrderCancelled cancelled => view with { Status = OrderStatus.Cancelled, CancellationReason = cancelled.Reason },
            _ => throw new PoisonEventException($"No projection for {@event.GetType().Name}."),
        };

        return evolved with
        {
            Version = envelope.Version,
            UpdatedAt = envelope.OccurredAt,
            Pending = view.Pending.Where(p => p.Version > envelope.Version).ToList(),
        };
    }

    // Applies the buffered successors that are now next in line.
    private static OrderView Drain(OrderView view)
    {
        while (view.Pending.FirstOrDefault(p => p.Version == view.Version + 1) is { } next)
        {
            ParsedEvent parsed;
            try
            {
                parsed = Parse(next);
            }
            catch (PoisonEventException)
            {
                // Checked when buffered; only a code change can get here. Keep it and stop: the
                // stream stays visibly stuck at this version instead of skipping an event.
                break;
            }

            view = Evolve(view, parsed.Event, next);
        }

        return view;
    }
}
