using k8s;
using k8s.Models;

namespace OrderDapr.Deployment.Tests.Dapr;

// dapr.io/v1alpha1 Component: the fields the checks read.
public sealed class DaprComponent : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public V1ObjectMeta Metadata { get; set; } = new();

    public ComponentSpec Spec { get; set; } = new();

    public List<string> Scopes { get; set; } = [];

    public string? Value(string name) => Spec.Metadata.FirstOrDefault(m => m.Name == name)?.Value;
}

public sealed class ComponentSpec
{
    public string Type { get; set; } = "";

    public string Version { get; set; } = "";

    public List<ComponentMetadata> Metadata { get; set; } = [];
}

public sealed class ComponentMetadata
{
    public string Name { get; set; } = "";

    public string? Value { get; set; }

    public SecretKeyRef? SecretKeyRef { get; set; }
}

public sealed class SecretKeyRef
{
    public string Name { get; set; } = "";

    public string Key { get; set; } = "";
}
