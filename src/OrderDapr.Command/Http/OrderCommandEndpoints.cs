using Dapr.Actors;
using Dapr.Actors.Client;
using OrderDapr.Command.Actors;
using OrderDapr.Command.Domain;

namespace OrderDapr.Command.Http;

public sealed record CommandAccepted(string OrderId, int Version);

// POST /orders and POST /orders/{id}/{pay|ship|deliver|cancel}: parse, validate, hand to the
// order's actor, and turn its outcome into HTTP. Nothing is written before the actor decides.
public static class OrderCommandEndpoints
{
    public static IEndpointRouteBuilder MapOrderCommands(this IEndpointRouteBuilder routes)
    {
        var orders = routes.MapGroup("/orders").WithCommandOutcomes().WithTags("Commands").WithIdempotencyKey().WithOrderIdParameter();
        orders.MapPost("/", PlaceAsync)
            .WithName("PlaceOrder")
            .WithSummary("Place an order")
            .WithDescription("Places an order of these items. Unless it is paid within the payment deadline (30 minutes unless "
                + "configured otherwise), it is cancelled with reason `payment-timeout`.")
            .WithJsonBody<PlaceOrderBody>(required: true)
            .Produces<CommandAccepted>(StatusCodes.Status201Created)
            .WithLocation()
            .WithVersionTag()
            .Answers([
                ProblemCatalogue.IdempotencyKeyInvalid,
                .. JsonBody.CanAnswer(bodyRequired: true),
                ProblemCatalogue.ValidationFailed,
                ProblemCatalogue.IdempotencyKeyReused,
                .. ProblemCatalogue.RefusalsOf<PlaceOrder>(),
            ]);
        orders.MapPost("/{orderId}/pay", (string orderId, HttpRequest request, IActorProxyFactory actors) =>
                ExecuteAsync<PayOrderBody>(orderId, request, actors, body => CommandValidation.ToCommand(body)))
            .DescribeCommand<PayOrderBody, PayOrder>("PayOrder", "Pay an order",
                "Records the payment of a placed order. The amount must equal the order's total.",
                bodyRequired: true, validated: true);
        orders.MapPost("/{orderId}/ship", (string orderId, HttpRequest request, IActorProxyFactory actors) =>
                ExecuteAsync<ShipOrderBody>(orderId, request, actors, body => CommandValidation.ToCommand(body)))
            .DescribeCommand<ShipOrderBody, ShipOrder>("ShipOrder", "Ship an order", "Records the shipment of a paid order.",
                bodyRequired: true, validated: true);
        orders.MapPost("/{orderId}/deliver", (string orderId, HttpRequest request, IActorProxyFactory actors) =>
                ExecuteAsync(orderId, request, actors, (DeliverOrderBody _) => (new DeliverOrder(), []), whenEmpty: new DeliverOrderBody()))
            .DescribeCommand<DeliverOrderBody, DeliverOrder>("DeliverOrder", "Deliver an order",
                "Records the delivery of a shipped order. The body may be left out, or be `{}`.",
                bodyRequired: false, validated: false);
        orders.MapPost("/{orderId}/cancel", (string orderId, HttpRequest request, IActorProxyFactory actors) =>
                ExecuteAsync<CancelOrderBody>(orderId, request, actors, body => CommandValidation.ToCommand(body)))
            .DescribeCommand<CancelOrderBody, CancelOrder>("CancelOrder", "Cancel an order",
                "Cancels an order that has not been shipped yet.",
                bodyRequired: true, validated: true);
        return routes;
    }

    // A command on an existing order as the OpenAPI document shows it, with what ExecuteAsync can
    // answer: its checks in the order it makes them, then the actor's outcomes.
    private static RouteHandlerBuilder DescribeCommand<TBody, TCommand>(
        this RouteHandlerBuilder endpoint, string name, string summary, string description, bool bodyRequired, bool validated)
        where TCommand : OrderCommand =>
        endpoint
            .WithName(name)
            .WithSummary(summary)
            .WithDescription(description)
            .WithJsonBody<TBody>(bodyRequired)
            .Produces<CommandAccepted>()
            .WithIfMatch()
            .WithVersionTag()
            .Answers([
                ProblemCatalogue.OrderNotFound,
                ProblemCatalogue.IfMatchInvalid,
                ProblemCatalogue.IdempotencyKeyInvalid,
                .. JsonBody.CanAnswer(bodyRequired),
                .. validated ? [ProblemCatalogue.ValidationFailed] : Array.Empty<ProblemType>(),
                ProblemCatalogue.VersionMismatch,
                ProblemCatalogue.IdempotencyKeyReused,
                .. ProblemCatalogue.RefusalsOf<TCommand>(),
            ]);

    private static async Task<IResult> PlaceAsync(HttpRequest request, IActorProxyFactory actors)
    {
        var (key, keyProblem) = IdempotencyKey.Read(request);
        if (keyProblem is not null)
        {
            return keyProblem;
        }

        var (body, bodyProblem) = await JsonBody.ReadAsync<PlaceOrderBody>(request);
        if (body is null)
        {
            return bodyProblem!;
        }

        var (command, errors) = CommandValidation.ToCommand(body);
        if (command is null)
        {
            return Problems.Invalid(errors);
        }

        var orderId = key is null ? Guid.NewGuid().ToString() : IdempotencyKey.OrderIdFor(key);
        var outcome = await SendAsync(actors, orderId, new CommandRequest(
            command, null, key, IdempotencyKey.Fingerprint(command), NewOrderId: key is null));
        return ToResult(outcome, request.HttpContext, created: true);
    }

    private static async Task<IResult> ExecuteAsync<TBody>(
        string orderId,
        HttpRequest request,
        IActorProxyFactory actors,
        Func<TBody, (OrderCommand? Command, Dictionary<string, string[]> Errors)> toCommand,
        TBody? whenEmpty = null)
        where TBody : class
    {
        if (!OrderIds.TryNormalize(orderId, out var id))
        {
            return Problems.OrderNotFound(orderId);
        }

        var (expectedVersion, ifMatchProblem) = VersionTag.ReadIfMatch(request);
        if (ifMatchProblem is not null)
        {
            return ifMatchProblem;
        }

        var (key, keyProblem) = IdempotencyKey.Read(request);
        if (keyProblem is not null)
        {
            return keyProblem;
        }

        var (body, bodyProblem) = await JsonBody.ReadAsync(request, whenEmpty);
        if (body is null)
        {
            return bodyProblem!;
        }

        var (command, errors) = toCommand(body);
        if (command is null)
        {
            return Problems.Invalid(errors);
        }

        var outcome = await SendAsync(actors, id, new CommandRequest(
            command, expectedVersion, key, IdempotencyKey.Fingerprint(command)));
        return ToResult(outcome, request.HttpContext, created: false);
    }

    private static Task<CommandOutcome> SendAsync(IActorProxyFactory actors, string orderId, CommandRequest request) =>
        actors.Create(new ActorId(orderId), OrderActor.TypeName)
            .InvokeMethodAsync<CommandRequest, CommandOutcome>(nameof(IOrderActor.Execute), request);

    // created: the command places the order, so its success (first or replayed) is 201 Created.
    private static IResult ToResult(CommandOutcome outcome, HttpContext context, bool created)
    {
        switch (outcome.Kind)
        {
            case OutcomeKind.Accepted or OutcomeKind.Replayed:
                VersionTag.Set(context.Response, outcome.Version);
                if (outcome.Kind == OutcomeKind.Replayed)
                {
                    context.Response.Headers[IdempotencyKey.ReplayedHeader] = "true";
                }

                var accepted = new CommandAccepted(outcome.OrderId, outcome.Version);
                return created
                    ? TypedResults.Created($"/orders/{outcome.OrderId}", accepted)
                    : TypedResults.Ok(accepted);
            case OutcomeKind.NotFound:
                return Problems.OrderNotFound(outcome.OrderId);
            case OutcomeKind.VersionMismatch:
                return Problems.Create(ProblemCatalogue.VersionMismatch,
                    $"The order is at version {outcome.Version}, not the version given in If-Match.",
                    new Dictionary<string, object?> { ["currentVersion"] = outcome.Version });
            case OutcomeKind.IdempotencyKeyReused:
                return Problems.Create(ProblemCatalogue.IdempotencyKeyReused,
                    "This Idempotency-Key was already used with a different request.");
            case OutcomeKind.Rejected:
                var why = outcome.Rejection!;
                return Problems.Create(ProblemCatalogue.Refusal(why.Code), why.Detail,
                    new Dictionary<string, object?> { ["currentVersion"] = outcome.Version });
            default:
                throw new InvalidOperationException($"Unknown outcome {outcome.Kind}.");
        }
    }
}
