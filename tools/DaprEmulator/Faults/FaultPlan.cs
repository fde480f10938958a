namespace DaprEmulator.Faults;

// Faults a chaos run wants injected at every sidecar of a DaprEmulatorHost: each a probability in
// [0, 1], drawn per occasion from one generator seeded with Seed.
public sealed record FaultPlan
{
    // A pub/sub message handed to an app subscription is handed to it once more, after the first
    // delivery ends (as a broker that redelivers would).
    public double DuplicateDelivery { get; init; }

    // A pub/sub message is held back 20–500 ms before it is handed to an app subscription, so that
    // later messages overtake it.
    public double ReorderDelivery { get; init; }

    // A state API call or a publish fails before it reaches the store or the broker, as when they
    // are unreachable; a call to an app fails as a refused connection does.
    public double TransientFailure { get; init; }

    public int Seed { get; init; }
}
