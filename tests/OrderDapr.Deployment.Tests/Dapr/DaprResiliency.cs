using k8s;
using k8s.Models;

namespace OrderDapr.Deployment.Tests.Dapr;

// dapr.io/v1alpha1 Resiliency: retry policies and the component targets that use them.
public sealed class DaprResiliency : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public V1ObjectMeta Metadata { get; set; } = new();

    public ResiliencySpec Spec { get; set; } = new();
}

public sealed class ResiliencySpec
{
    public ResiliencyPolicies Policies { get; set; } = new();

    public ResiliencyTargets Targets { get; set; } = new();
}

public sealed class ResiliencyPolicies
{
    public Dictionary<string, RetryPolicy> Retries { get; set; } = [];
}

public sealed record RetryPolicy
{
    public string? Policy { get; set; }

    public string? Duration { get; set; }

    public string? MaxInterval { get; set; }

    public int? MaxRetries { get; set; }
}

public sealed class ResiliencyTargets
{
    public Dictionary<string, ComponentTarget> Components { get; set; } = [];
}

public sealed class ComponentTarget
{
    public Direction? Inbound { get; set; }

    public Direction? Outbound { get; set; }
}

public sealed class Direction
{
    public string? Retry { get; set; }
}
