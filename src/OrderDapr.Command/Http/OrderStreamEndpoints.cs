using System.Globalization;
using System.Text.Json;
using Microsoft.OpenApi;
using OrderDapr.Command.Domain;
using OrderDapr.Command.EventStore;
using OrderDapr.Contracts;

namespace OrderDapr.Command.Http;

public sealed record OrderStateView(
    string OrderId,
    string Status,
    int Version,
    string CustomerId,
    IReadOnlyList<OrderLine> Items,
    string Currency,
    decimal Total,
    string? PaymentId,
    string? TrackingNumber,
    string? CancellationReason,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt);

public sealed record StoredEventView(string EventId, string Type, int Version, DateTimeOffset OccurredAt, JsonElement Data);

public sealed record OrderEventsView(string OrderId, int Version, IReadOnlyList<StoredEventView> Events);

// The write side's own view of an order: its stream, and its state as the replay of that stream
// (optionally up to a past version). Read straight from the event store, so always current.
public static class OrderStreamEndpoints
{
    private const string VersionQuery = "version";

    public static IEndpointRouteBuilder MapOrderStreams(this IEndpointRouteBuilder routes)
    {
        var orders = routes.MapGroup("/orders").WithTags("Reads").WithOrderIdParameter().WithVersionTag();
        orders.MapGet("/{orderId}", GetStateAsync)
            .WithName("GetOrder")
            .WithSummary("Read an order")
            .WithDescription("The order's state, replayed from its event stream: always current. With `version`, the order as it was then.")
            .WithQueryParameter(VersionQuery, "Replay the stream up to this version only.",
                new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1" })
            .Produces<OrderStateView>()
            .Answers(ProblemCatalogue.OrderNotFound, ProblemCatalogue.VersionInvalid, ProblemCatalogue.VersionNotFound);
        orders.MapGet("/{orderId}/events", GetEventsAsync)
            .WithName("GetOrderEvents")
            .WithSummary("Read an order's events")
            .WithDescription("The order's event stream as stored, oldest first. `type` is the stored event name; `data` its payload.")
            .Produces<OrderEventsView>()
            .Answers(ProblemCatalogue.OrderNotFound);
        return routes;
    }

    private static async Task<IResult> GetStateAsync(string orderId, HttpContext context, OrderStreamStore streams)
    {
        if (!OrderIds.TryNormalize(orderId, out var id))
        {
            return Problems.OrderNotFound(orderId);
        }

        int? atVersion = null;
        if (context.Request.Query.TryGetValue(VersionQuery, out var raw))
        {
            if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < 1)
            {
                return Problems.Create(ProblemCatalogue.VersionInvalid,
                    "version must be a whole number of at least 1.");
            }

            atVersion = v;
        }

        var (stream, _) = await streams.LoadAsync(id, context.RequestAborted);
        if (stream.Version == 0)
        {
            return Problems.OrderNotFound(id);
        }

        if (atVersion > stream.Version)
        {
            return Problems.Create(ProblemCatalogue.VersionNotFound,
                $"Order {id} is at version {stream.Version}; it has no version {atVersion}.");
        }

        var state = stream.Replay(atVersion);
        VersionTag.Set(context.Response, state.Version);
        return TypedResults.Ok(ToView(id, state));
    }

    private static async Task<IResult> GetEventsAsync(string orderId, HttpContext context, OrderStreamStore streams)
    {
        if (!OrderIds.TryNormalize(orderId, out var id))
        {
            return Problems.OrderNotFound(orderId);
        }

        var (stream, _) = await streams.LoadAsync(id, context.RequestAborted);
        if (stream.Version == 0)
        {
            return Problems.OrderNotFound(id);
        }

        VersionTag.Set(context.Response, stream.Version);
        return TypedResults.Ok(new OrderEventsView(id, stream.Version, [.. stream.Events.Select(e =>
            new StoredEventView(e.EventId, e.Type, e.Version, e.OccurredAt, e.Data))]));
    }

    // CREATED, PAID, …: what `status` holds.
    public static string StatusName(OrderStatus status) => status.ToString().ToUpperInvariant();

    private static OrderStateView ToView(string orderId, Order state) => new(
        orderId,
        StatusName(state.Status),
        state.Version,
        state.CustomerId,
        state.Items,
        state.Currency,
        state.Total,
        state.PaymentId,
        state.TrackingNumber,
        state.CancellationReason,
        state.CreatedAt,
        state.UpdatedAt);
}
