using System.Diagnostics;
using OrderDapr.Command.Telemetry;

namespace OrderDapr.Command.Http;

// Counts every answer of a command endpoint by outcome, whatever produced it (a validation
// problem, the actor's decision, an exception turned into 500): the status is read when the
// response starts, so a scrape after the answer already holds it.
public static class CommandOutcomes
{
    public static TBuilder WithCommandOutcomes<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            http.Response.OnStarting(() =>
            {
                var command = http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "unknown";
                CommandTelemetry.Commands.Add(1, new TagList
                {
                    { "command", command },
                    { "outcome", Outcome(http.Response) },
                    { "http.response.status_code", http.Response.StatusCode },
                });
                return Task.CompletedTask;
            });
            return await next(context);
        });

    // accepted / replayed (an Idempotency-Key retry), not-found, refused (the order's state, its version or
    // the key's first use said no), invalid (the request itself), failed (5xx).
    private static string Outcome(HttpResponse response) => response.StatusCode switch
    {
        >= 200 and < 300 when response.Headers.ContainsKey(IdempotencyKey.ReplayedHeader) => "replayed",
        >= 200 and < 300 => "accepted",
        StatusCodes.Status404NotFound => "not-found",
        StatusCodes.Status409Conflict or StatusCodes.Status412PreconditionFailed or StatusCodes.Status422UnprocessableEntity => "refused",
        >= 400 and < 500 => "invalid",
        _ => "failed",
    };
}
