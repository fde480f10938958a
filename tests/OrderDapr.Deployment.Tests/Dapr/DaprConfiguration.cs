using k8s;
using k8s.Models;

namespace OrderDapr.Deployment.Tests.Dapr;

// dapr.io/v1alpha1 Configuration: its tracing section.
public sealed class DaprConfiguration : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public V1ObjectMeta Metadata { get; set; } = new();

    public ConfigurationSpec Spec { get; set; } = new();
}

public sealed class ConfigurationSpec
{
    public TracingSpec? Tracing { get; set; }
}

public sealed class TracingSpec
{
    public string? SamplingRate { get; set; }

    public OtelSpec? Otel { get; set; }
}

public sealed class OtelSpec
{
    public string? EndpointAddress { get; set; }

    public bool IsSecure { get; set; }

    public string? Protocol { get; set; }
}
