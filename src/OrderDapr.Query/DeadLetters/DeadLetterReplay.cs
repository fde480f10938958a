using OrderDapr.Contracts;
using OrderDapr.Query.Projections;

namespace OrderDapr.Query.DeadLetters;

public enum ReplayOutcome
{
    // Projected (or found projected already): it left the dead letters.
    Projected,

    // Still cannot be projected: it stays, with the reason found now.
    StillPoison,

    // The read model could not take it now (store failure, or too many events of its order wait
    // for an earlier one): it stays as it was; replay it again later.
    NotProjected,

    // No dead letter has this id.
    NotFound,
}

public sealed record ReplayResult(string Id, ReplayOutcome Outcome, string? Reason);

// Replays parked events through the same projection live deliveries take (OrderProjector: each
// (order, version) once, in any order, into every generation being written).
public sealed class DeadLetterReplay(DeadLetterStore deadLetters, OrderProjector projector)
{
    public async Task<IReadOnlyList<ReplayResult>> ReplayAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var results = new List<ReplayResult>(ids.Count);
        foreach (var chunk in ids.Distinct(StringComparer.Ordinal).Chunk(DeadLetterIndex.PageSize))
        {
            results.AddRange(await ReplayChunkAsync(chunk, cancellationToken));
        }

        return results;
    }

    public async Task<IReadOnlyList<ReplayResult>> ReplayAllAsync(CancellationToken cancellationToken) =>
        await ReplayAsync(await deadLetters.AllIdsAsync(cancellationToken), cancellationToken);

    private async Task<IReadOnlyList<ReplayResult>> ReplayChunkAsync(string[] ids, CancellationToken cancellationToken)
    {
        var letters = await deadLetters.GetAsync(ids, cancellationToken);
        var results = new ReplayResult?[ids.Length];
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        var envelopes = new List<EventEnvelope>();
        var positions = new List<int>();
        for (var i = 0; i < ids.Length; i++)
        {
            if (letters[i] is not { } letter)
            {
                results[i] = new ReplayResult(ids[i], ReplayOutcome.NotFound, null);
                continue;
            }

            var cloudEvent = OrderCloudEvent.Read(letter.Event);
            if (cloudEvent.Envelope is { } envelope)
            {
                envelopes.Add(envelope);
                positions.Add(i);
            }
            else
            {
                reasons[ids[i]] = cloudEvent.Unreadable!;
                results[i] = new ReplayResult(ids[i], ReplayOutcome.StillPoison, cloudEvent.Unreadable);
            }
        }

        var projected = await projector.ProjectAsync(envelopes, cancellationToken);
        var leaving = new List<string>();
        for (var j = 0; j < positions.Count; j++)
        {
            var id = ids[positions[j]];
            switch (projected.Outcomes[j])
            {
                case ProjectionOutcome.Poison:
                    reasons[id] = projected.PoisonReasons[j]!;
                    results[positions[j]] = new ReplayResult(id, ReplayOutcome.StillPoison, projected.PoisonReasons[j]);
                    break;
                case ProjectionOutcome.NotCommitted or ProjectionOutcome.PendingFull:
                    results[positions[j]] = new ReplayResult(id, ReplayOutcome.NotProjected, letters[positions[j]]!.Reason);
                    break;
                default:
                    leaving.Add(id);
                    results[positions[j]] = new ReplayResult(id, ReplayOutcome.Projected, null);
                    break;
            }
        }

        await deadLetters.ResolveAsync(leaving, reasons, cancellationToken);
        return [.. results.Select(r => r!)];
    }
}
