using k8s.Models;
using OrderDapr.Deployment.Tests.Rendering;

namespace OrderDapr.Deployment.Tests;

// What production adds for both apps: two replicas or more, spread over nodes, kept through
// voluntary disruptions, scaled on CPU, with resources requested and limited.
public sealed class ProductionTests
{
    private static Manifests Production => Kustomize.Render("production");

    public static TheoryData<string> Apps => ["order-command", "order-query"];

    [Theory]
    [MemberData(nameof(Apps))]
    public void Runs_at_least_two_replicas_spread_over_nodes(string appId)
    {
        var deployment = Production.Deployment(appId);
        var labels = deployment.Spec.Template.Metadata.Labels;

        Assert.True(deployment.Spec.Replicas >= 2, $"{appId}: {deployment.Spec.Replicas} replicas");
        var spread = Assert.Single(deployment.Spec.Template.Spec.TopologySpreadConstraints, t => t.TopologyKey == "kubernetes.io/hostname");
        Assert.Equal("DoNotSchedule", spread.WhenUnsatisfiable);
        Assert.True(Selects(spread.LabelSelector, labels), $"{appId}: the spread constraint does not select the app's pods");
        Assert.Contains(deployment.Spec.Template.Spec.TopologySpreadConstraints, t => t.TopologyKey == "topology.kubernetes.io/zone");
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public void Has_a_disruption_budget_that_keeps_a_replica(string appId)
    {
        var labels = Production.Deployment(appId).Spec.Template.Metadata.Labels;

        var budget = Assert.Single(Production.DisruptionBudgets, b => Selects(b.Spec.Selector, labels));
        Assert.True(budget.Spec.MinAvailable?.Value is "1" || budget.Spec.MaxUnavailable?.Value is "1", $"{appId}: the budget lets every replica go");
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public void Scales_on_CPU_from_two_replicas_with_CPU_requested(string appId)
    {
        var deployment = Production.Deployment(appId);

        var autoscaler = Assert.Single(Production.Autoscalers, a => a.Spec.ScaleTargetRef.Kind == "Deployment" && a.Spec.ScaleTargetRef.Name == deployment.Metadata.Name);
        Assert.True(autoscaler.Spec.MinReplicas >= 2 && autoscaler.Spec.MaxReplicas > autoscaler.Spec.MinReplicas, $"{appId}: {autoscaler.Spec.MinReplicas}..{autoscaler.Spec.MaxReplicas}");
        var cpu = Assert.Single(autoscaler.Spec.Metrics, m => m.Resource?.Name == "cpu");
        Assert.Equal("Utilization", cpu.Resource.Target.Type);

        var resources = deployment.Spec.Template.Spec.Containers.Single().Resources;
        Assert.True(resources.Requests.ContainsKey("cpu") && resources.Requests.ContainsKey("memory"), $"{appId}: requests {string.Join(", ", resources.Requests.Keys)}");
        Assert.True(resources.Limits.ContainsKey("memory"), $"{appId}: no memory limit");
    }

    private static bool Selects(V1LabelSelector selector, IDictionary<string, string> labels) =>
        selector.MatchLabels.Count > 0 && selector.MatchLabels.All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value);
}
