namespace OrderDapr.Observability.Health;

// Configuration section "Health".
public sealed class ReadinessOptions
{
    public const string Section = "Health";

    // How long a readiness check waits for the sidecar. A probe that never answers tells the
    // kubelet nothing, so a slow sidecar counts as down (Kubernetes' own probe timeout is 1 s by
    // default: the manifests give the probe 6 s).
    public TimeSpan SidecarTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
