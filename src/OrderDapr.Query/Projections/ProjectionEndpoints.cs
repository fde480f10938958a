using System.Text.Json;
using Dapr;
using Microsoft.AspNetCore.Http.HttpResults;
using OrderDapr.Contracts;

namespace OrderDapr.Query.Projections;

// The app's answer to a topic delivery (Dapr pub/sub): SUCCESS acknowledges, RETRY and any
// non-2xx status redeliver, DROP discards, to the dead-letter topic when one is set.
public sealed record TopicResponse(string Status)
{
    public static TopicResponse Success { get; } = new("SUCCESS");
    public static TopicResponse Retry { get; } = new("RETRY");
    public static TopicResponse Drop { get; } = new("DROP");
}

public static class ProjectionEndpoints
{
    public const string DeadLetterTopic = "orders-deadletter";
    public const string ProjectRoute = "/events/orders";
    public const string UnknownTypeRoute = "/events/orders/unknown-type";

    // One routing rule per known CloudEvent type (CEL on `event.type`) to the projection; the
    // default route takes every other type and drops it into the dead-letter topic. Dapr's
    // subscription takes deadLetterTopic from whichever entry sorts first, so all carry it.
    public static IEndpointRouteBuilder MapOrderEventSubscription(this IEndpointRouteBuilder app)
    {
        var project = app.MapPost(ProjectRoute, ProjectAsync);
        var priority = 0;
        // Retired names (e.g. OrderCreated.v1) are routed too: the contracts upcast them.
        foreach (var type in EventSerializer.KnownTypeNames)
        {
            project.WithTopic(Topic(match: $"event.type == \"{type}\"", priority++));
        }

        app.MapPost(UnknownTypeRoute, DropUnknownType).WithTopic(Topic(match: null, priority));
        return app;
    }

    // The CloudEvents middleware throws on a body that is no JSON at all: answered with 500,
    // the sidecar would redeliver that poison again and again.
    public static IApplicationBuilder UseUnreadableCloudEventDrop(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (JsonException ex) when (!context.Response.HasStarted
                                           && context.Request.ContentType?.StartsWith("application/cloudevents+json", StringComparison.OrdinalIgnoreCase) == true)
            {
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ProjectionEndpoints))
                    .LogError(ex, "Dropping an unreadable CloudEvent posted to {Path}", context.Request.Path.Value);
                await context.Response.WriteAsJsonAsync(TopicResponse.Drop);
            }
        });

    public static async Task<Results<Ok<TopicResponse>, ProblemHttpResult>> ProjectAsync(
        HttpRequest request, OrderProjector projector, ILogger<OrderProjector> logger, CancellationToken cancellationToken)
    {
        var cloudEventId = request.Headers["Cloudevent.id"].ToString();
        EventEnvelope? envelope;
        try
        {
            // Not ReadFromJsonAsync: it insists on a JSON content type, and an unreadable body
            // must be dropped, not answered with 415 and redelivered.
            envelope = await JsonSerializer.DeserializeAsync<EventEnvelope>(request.Body, EventSerializer.Options, cancellationToken);
        }
        catch (JsonException ex)
        {
            logger.LogError(ex, "Dropping CloudEvent {CloudEventId}: its data is no event envelope", cloudEventId);
            return TypedResults.Ok(TopicResponse.Drop);
        }

        if (envelope is null)
        {
            logger.LogError("Dropping CloudEvent {CloudEventId}: it has no data", cloudEventId);
            return TypedResults.Ok(TopicResponse.Drop);
        }

        try
        {
            var result = await projector.ProjectAsync(envelope, cancellationToken);
            if (result.Outcome == ProjectionOutcome.PendingFull)
            {
                logger.LogWarning("Order {OrderId} has {PendingCount} events waiting for v{MissingVersion}; {EventType} v{Version} will be redelivered",
                    envelope.OrderId, result.View.Pending.Count, result.View.Version + 1, envelope.Type, envelope.Version);
                return TypedResults.Ok(TopicResponse.Retry);
            }

            logger.LogDebug("{Outcome} {EventType} v{Version} of order {OrderId}", result.Outcome, envelope.Type, envelope.Version, envelope.OrderId);
            return TypedResults.Ok(TopicResponse.Success);
        }
        catch (PoisonEventException ex)
        {
            logger.LogError(ex, "Dropping CloudEvent {CloudEventId}: {Reason}", cloudEventId, ex.Message);
            return TypedResults.Ok(TopicResponse.Drop);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A store failure or an ETag conflict that outlived the in-process retries.
            logger.LogWarning(ex, "Projecting {EventType} v{Version} of order {OrderId} failed; Dapr will redeliver it",
                envelope.Type, envelope.Version, envelope.OrderId);
            return TypedResults.Problem("The read model could not be updated; redeliver the event.", statusCode: StatusCodes.Status500InternalServerError);
        }
    }

    public static Ok<TopicResponse> DropUnknownType(HttpRequest request, ILogger<OrderProjector> logger)
    {
        logger.LogWarning("Dropping CloudEvent {CloudEventId} of unknown type {CloudEventType} to {DeadLetterTopic}",
            request.Headers["Cloudevent.id"].ToString(), request.Headers["Cloudevent.type"].ToString(), DeadLetterTopic);
        return TypedResults.Ok(TopicResponse.Drop);
    }

    private static TopicOptions Topic(string? match, int priority) => new()
    {
        PubsubName = Messaging.PubSub,
        Name = Messaging.OrdersTopic,
        DeadLetterTopic = DeadLetterTopic,
        Match = match!,
        Priority = priority,
    };
}
