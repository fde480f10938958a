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
        var orders = routes.MapGroup("/orders");
        orders.MapPost("/", PlaceAsync);
        orders.MapPost("/{orderId}/pay", (string orderId, HttpRequest request, IActorProxyFactory actors) =>
            ExecuteAsync<PayOrderBody>(orderId, request, actors, body => CommandValidation.ToCommand(body)));
        orders.MapPost("/{orderId}/ship", (string orderId, HttpRequest request, IActorProxyFactory actors) =>
            ExecuteAsync<ShipOrderBody>(orderId, request, actors, body => CommandValidation.ToCommand(body)));
        orders.MapPost("/{orderId}/deliver", (string orderId, HttpRequest request, IActorProxyFactory actors) =>
            ExecuteAsync(orderId, request, actors, (DeliverOrderBody _) => (new DeliverOrder(), []), whenEmpty: new DeliverOrderBody()));
        orders.MapPost("/{orderId}/cancel", (string orderId, HttpRequest request, IActorProxyFactory actors) =>
            ExecuteAsync<CancelOrderBody>(orderId, request, actors, body => CommandValidation.ToCommand(body)));
        return routes;
    }

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
                    context.Response.Headers["Idempotent-Replayed"] = "true";
                }

                var accepted = new CommandAccepted(outcome.OrderId, outcome.Version);
                return created
                    ? TypedResults.Created($"/orders/{outcome.OrderId}", accepted)
                    : TypedResults.Ok(accepted);
            case OutcomeKind.NotFound:
                return Problems.OrderNotFound(outcome.OrderId);
            case OutcomeKind.VersionMismatch:
                return Problems.Create(StatusCodes.Status412PreconditionFailed, "version-mismatch", "Order has moved on",
                    $"The order is at version {outcome.Version}, not the version given in If-Match.",
                    new Dictionary<string, object?> { ["currentVersion"] = outcome.Version });
            case OutcomeKind.IdempotencyKeyReused:
                return Problems.Create(StatusCodes.Status422UnprocessableEntity, "idempotency-key-reused", "Idempotency-Key reused",
                    "This Idempotency-Key was already used with a different request.");
            case OutcomeKind.Rejected:
                var why = outcome.Rejection!;
                return Problems.Create(StatusCodes.Status409Conflict, why.Code, "Command refused", why.Detail,
                    new Dictionary<string, object?> { ["currentVersion"] = outcome.Version });
            default:
                throw new InvalidOperationException($"Unknown outcome {outcome.Kind}.");
        }
    }
}
