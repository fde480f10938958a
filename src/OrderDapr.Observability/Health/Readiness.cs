namespace OrderDapr.Observability.Health;

// What a readiness check found: nothing down (ready), or what is down and why.
public sealed record Readiness(IReadOnlyList<string> Down, string Detail)
{
    public const string Sidecar = "dapr-sidecar";

    public bool IsReady => Down.Count == 0;

    public static Readiness Ready(IReadOnlyCollection<string> components) =>
        new([], $"The Dapr sidecar is reachable and has loaded {string.Join(", ", components)}.");
}
