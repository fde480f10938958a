using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrderDapr.Query.Rebuild;

[JsonConverter(typeof(RebuildStateJsonConverter))]
public enum RebuildState
{
    Idle,
    Running,
    Completed,
    Failed,
}

// Stored and shown as idle, running, completed, failed.
public sealed class RebuildStateJsonConverter() : JsonStringEnumConverter<RebuildState>(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false);

// The document `projection-rebuild`: the latest rebuild, whichever replica runs it, so that any
// replica can show it. Only the rebuild it describes writes it, with its ETag.
public sealed record RebuildProgress(RebuildState State)
{
    public int? TargetGeneration { get; init; }

    public int StreamsProjected { get; init; }

    public int EventsProjected { get; init; }

    // Events of the streams the projection could not apply: unreadable, or stuck behind one.
    public int EventsSkipped { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    // Written after every page: a running rebuild that stopped writing died with its replica.
    public DateTimeOffset? UpdatedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public string? Error { get; init; }
}
