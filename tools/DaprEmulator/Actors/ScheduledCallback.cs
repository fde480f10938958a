namespace DaprEmulator.Actors;

// What a timer and a reminder share: the registration, and where its ticks have got to.
internal abstract class ScheduledCallback(string actorId, string name)
{
    public string ActorId { get; } = actorId;

    public string Name { get; } = name;

    public required string? Data { get; init; }

    public required string DueTime { get; init; }

    public required string Period { get; init; }

    public required DaprPeriod ParsedPeriod { get; init; }

    public required DateTimeOffset? Expiration { get; init; }

    public required DateTimeOffset NextDue { get; set; }

    public required int RepeatsLeft { get; set; }

    // After a tick: when the next one is due and how many are left then, or null when that
    // was the last one (canceled by the app, out of repetitions, no period, or expired).
    public (DateTimeOffset Due, int RepeatsLeft)? NextTick(bool canceled)
    {
        var repeats = RepeatsLeft > 0 ? RepeatsLeft - 1 : RepeatsLeft;
        if (canceled || repeats == 0 || ParsedPeriod.IsZero)
        {
            return null;
        }

        var next = ParsedPeriod.Following(NextDue);
        return Expiration is { } expiration && next >= expiration ? null : (next, repeats);
    }
}
