using Microsoft.AspNetCore.Http.HttpResults;
using OrderDapr.Query.Http;

namespace OrderDapr.Query.Rebuild;

public sealed record RebuildView(
    RebuildState State,
    int CurrentGeneration,
    int? TargetGeneration,
    int StreamsProjected,
    int EventsProjected,
    int EventsSkipped,
    DateTimeOffset? StartedAt,
    DateTimeOffset? UpdatedAt,
    DateTimeOffset? FinishedAt,
    string? Error)
{
    public static RebuildView Of(RebuildStatus status)
    {
        var p = status.Progress;
        return new(p.State, status.CurrentGeneration, p.TargetGeneration, p.StreamsProjected, p.EventsProjected, p.EventsSkipped,
            p.StartedAt, p.UpdatedAt, p.FinishedAt, p.Error);
    }
}

// POST /admin/projections/rebuild -> 202, Location: /admin/projections/rebuild, the progress; 409 while one runs
// GET  /admin/projections/rebuild -> the progress of the latest rebuild (state idle before the first)
public static class RebuildEndpoints
{
    public const string Route = "/admin/projections/rebuild";

    public static RouteGroupBuilder MapRebuild(this RouteGroupBuilder admin)
    {
        admin.MapPost("/projections/rebuild", StartAsync);
        admin.MapGet("/projections/rebuild", ReadAsync);
        return admin;
    }

    public static async Task<Results<Accepted<RebuildView>, ProblemHttpResult>> StartAsync(ProjectionRebuild rebuild, CancellationToken cancellationToken)
    {
        var (started, status) = await rebuild.StartAsync(cancellationToken);
        var progress = status.Progress;
        return started
            ? TypedResults.Accepted(Route, RebuildView.Of(status))
            : Problems.Create(StatusCodes.Status409Conflict, "rebuild-running", "A rebuild is running",
                $"The rebuild into generation {progress.TargetGeneration} started at {progress.StartedAt:O} is still running; follow it at {Route}.",
                new Dictionary<string, object?> { ["targetGeneration"] = progress.TargetGeneration });
    }

    public static async Task<Ok<RebuildView>> ReadAsync(ProjectionRebuild rebuild, CancellationToken cancellationToken)
    {
        return TypedResults.Ok(RebuildView.Of(await rebuild.ReadAsync(cancellationToken)));
    }
}
