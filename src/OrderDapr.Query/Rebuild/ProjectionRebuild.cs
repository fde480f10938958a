using OrderDapr.Contracts;
using OrderDapr.Query.Projections;
using OrderDapr.Query.ReadModel;

namespace OrderDapr.Query.Rebuild;

public sealed record RebuildStatus(int CurrentGeneration, RebuildProgress Progress);

// Started false: another rebuild runs, the one Status shows.
public sealed record RebuildStart(bool Started, RebuildStatus Status);

// Rebuilds the read model from every event stream into a new generation while the current one
// keeps serving: the rebuild marks its generation as being built (Generations: live batches are
// then projected into it too), waits until every replica knows, projects every stream page by
// page, then switches the current generation with one ETag-guarded write of the generation
// document. The projection is idempotent and order-tolerant, so the rebuild and the live events
// may interleave in any way. A failed rebuild leaves the current generation as it was.
public sealed class ProjectionRebuild(
    IReadModelStore store,
    Generations generations,
    OrderProjector projector,
    IStreamSource streams,
    TimeProvider time,
    ILogger<ProjectionRebuild> logger) : IAsyncDisposable
{
    public const string ProgressKey = "projection-rebuild";
    public const int StreamsPerPage = 200;
    public const int EventsPerBatch = 250;

    // A replica reads the generation state again within Generations.MaxAge, so after this long
    // every live batch projects into the new generation too; reading the streams only then, the
    // rebuild sees every event a batch that missed the new generation could hold.
    public static readonly TimeSpan Settle = 2 * Generations.MaxAge;

    // Progress is written after every page; a rebuild silent for this long died with its replica.
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(5);

    private const int CommitRounds = 5;

    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private Task running = Task.CompletedTask;

    // The rebuilds this process runs; awaited when it stops.
    public Task Running
    {
        get
        {
            lock (gate)
            {
                return running;
            }
        }
    }

    public async Task<RebuildStatus> ReadAsync(CancellationToken cancellationToken)
    {
        var progress = (await store.GetAsync<RebuildProgress>(ProgressKey, cancellationToken)).Value ?? new RebuildProgress(RebuildState.Idle);
        return new RebuildStatus((await generations.GetAsync(cancellationToken)).Current, progress);
    }

    public async Task<RebuildStart> StartAsync(CancellationToken cancellationToken)
    {
        var progress = await store.GetAsync<RebuildProgress>(ProgressKey, cancellationToken);
        if (progress.Value is { State: RebuildState.Running } runningNow && !Abandoned(runningNow))
        {
            return await AlreadyRunningAsync(runningNow, cancellationToken);
        }

        var state = await generations.ReadAsync(cancellationToken);
        var current = state.Value!;

        // Never a generation used before: a failed rebuild leaves its documents behind.
        var target = Math.Max(current.Current, Math.Max(current.Building ?? 0, progress.Value?.TargetGeneration ?? 0)) + 1;
        var now = time.GetUtcNow();
        var started = new RebuildProgress(RebuildState.Running) { TargetGeneration = target, StartedAt = now, UpdatedAt = now };
        try
        {
            await store.CommitAsync(
            [
                new DocumentWrite(ProgressKey, started, progress.ETag),
                new DocumentWrite(Generations.Key, current with { Building = target }, state.ETag),
            ], cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Another replica may have started one at the same moment: then its progress says so.
            if ((await store.GetAsync<RebuildProgress>(ProgressKey, cancellationToken)).Value is { State: RebuildState.Running } other && !Abandoned(other))
            {
                return await AlreadyRunningAsync(other, cancellationToken);
            }

            throw;
        }

        generations.Forget();
        logger.LogInformation("Rebuilding the read model into generation {Generation}; generation {Current} serves meanwhile", target, current.Current);
        var run = RunAsync(target, stopping.Token);
        lock (gate)
        {
            running = Task.WhenAll(running, run);
        }

        return new RebuildStart(true, new RebuildStatus(current.Current, started));
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await Running;
        stopping.Dispose();
    }

    private async Task<RebuildStart> AlreadyRunningAsync(RebuildProgress progress, CancellationToken cancellationToken) =>
        new(false, new RebuildStatus((await generations.GetAsync(cancellationToken)).Current, progress));

    private bool Abandoned(RebuildProgress progress) => time.GetUtcNow() - (progress.UpdatedAt ?? DateTimeOffset.MinValue) > AbandonedAfter;

    private async Task RunAsync(int target, CancellationToken cancellationToken)
    {
        var keys = ReadModelKeys.Of(target);
        try
        {
            await Task.Delay(Settle, time, cancellationToken);
            string? cursor = null;
            var (streamCount, projected, skipped) = (0, 0, 0);
            do
            {
                var page = await streams.ReadPageAsync(cursor, StreamsPerPage, cancellationToken);
                if (page.NextCursor is not null && page.NextCursor == cursor)
                {
                    throw new InvalidDataException($"The stream source answered the cursor {cursor} with itself.");
                }

                var (pageProjected, pageSkipped) = await ProjectPageAsync(page, keys, cancellationToken);
                (streamCount, projected, skipped) = (streamCount + page.Streams.Count, projected + pageProjected, skipped + pageSkipped);
                await SaveProgressAsync(target, p => p with { StreamsProjected = streamCount, EventsProjected = projected, EventsSkipped = skipped }, cancellationToken);
                cursor = page.NextCursor;
            }
            while (cursor is not null);

            await SwitchAsync(target, cancellationToken);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Rebuilding the read model into generation {Generation} failed; the current generation keeps serving", target);
            await AbandonAsync(target, ex is OperationCanceledException ? "The service stopped." : ex.Message);
            return;
        }

        try
        {
            await SaveProgressAsync(target, p => p with { State = RebuildState.Completed, FinishedAt = time.GetUtcNow() }, CancellationToken.None);
            logger.LogInformation("The read model is rebuilt: generation {Generation} serves", target);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Generation {Generation} serves, but the rebuild's progress could not be marked completed", target);
        }
    }

    // The events of one page into the new generation: how many are in it now, and how many not.
    private async Task<(int Projected, int Skipped)> ProjectPageAsync(StreamPage page, ReadModelKeys keys, CancellationToken cancellationToken)
    {
        var events = new List<ParsedEvent>();
        var skipped = 0;
        foreach (var envelope in page.Streams.SelectMany(s => s.Events))
        {
            try
            {
                events.Add(OrderViewProjection.Parse(envelope));
            }
            catch (PoisonEventException ex)
            {
                skipped++;
                logger.LogWarning(ex, "The rebuild skips event {EventId} of order {OrderId}: {Reason}", envelope.EventId, envelope.OrderId, ex.Message);
            }
        }

        var projected = 0;
        foreach (var batch in events.Chunk(EventsPerBatch))
        {
            IReadOnlyList<ParsedEvent> pending = batch;
            for (var round = 1; pending.Count > 0; round++)
            {
                var outcomes = await projector.ProjectAsync(pending, keys, cancellationToken);
                projected += outcomes.Count(o => o is ProjectionOutcome.Applied or ProjectionOutcome.Buffered or ProjectionOutcome.Duplicate);
                skipped += outcomes.Count(o => o is ProjectionOutcome.PendingFull);
                pending = [.. pending.Where((_, i) => outcomes[i] == ProjectionOutcome.NotCommitted)];
                if (pending.Count > 0 && round == CommitRounds)
                {
                    throw new InvalidOperationException($"{pending.Count} events could not be written to generation {keys.Generation}.");
                }
            }
        }

        return (projected, skipped);
    }

    private async Task SaveProgressAsync(int target, Func<RebuildProgress, RebuildProgress> change, CancellationToken cancellationToken)
    {
        var stored = await store.GetAsync<RebuildProgress>(ProgressKey, cancellationToken);
        if (stored.Value is not { State: RebuildState.Running } progress || progress.TargetGeneration != target)
        {
            throw new InvalidOperationException($"Another rebuild took over from the rebuild of generation {target}.");
        }

        await store.CommitAsync([new DocumentWrite(ProgressKey, change(progress) with { UpdatedAt = time.GetUtcNow() }, stored.ETag)], cancellationToken);
    }

    private async Task SwitchAsync(int target, CancellationToken cancellationToken)
    {
        var state = await generations.ReadAsync(cancellationToken);
        if (state.Value!.Building != target)
        {
            throw new InvalidOperationException($"Generation {target} is no longer the one being built.");
        }

        // The switch: one document, written with the ETag it was read with.
        await store.CommitAsync([new DocumentWrite(Generations.Key, new GenerationState(target, null), state.ETag)], cancellationToken);
        generations.Forget();
    }

    // Live batches stop writing the abandoned generation; the progress says why. Not cancelled:
    // it runs when the service stops too.
    private async Task AbandonAsync(int target, string error)
    {
        try
        {
            var writes = new List<DocumentWrite>();
            var state = await generations.ReadAsync(CancellationToken.None);
            if (state.Value!.Building == target)
            {
                writes.Add(new DocumentWrite(Generations.Key, state.Value with { Building = null }, state.ETag));
            }

            var stored = await store.GetAsync<RebuildProgress>(ProgressKey, CancellationToken.None);
            if (stored.Value is { State: RebuildState.Running } progress && progress.TargetGeneration == target)
            {
                var now = time.GetUtcNow();
                writes.Add(new DocumentWrite(ProgressKey, progress with { State = RebuildState.Failed, Error = error, FinishedAt = now, UpdatedAt = now }, stored.ETag));
            }

            if (writes.Count > 0)
            {
                await store.CommitAsync(writes, CancellationToken.None);
                generations.Forget();
            }
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not record that the rebuild of generation {Generation} failed", target);
        }
    }
}
