using OrderDapr.Command;
using OrderDapr.Deployment.Tests.Dapr;
using OrderDapr.Deployment.Tests.Rendering;
using OrderDapr.Query;
using OrderDapr.Testing;

namespace OrderDapr.Deployment.Tests;

// What a cluster's Dapr needs to run the same system as `dapr run -f dapr.yaml`: each Deployment
// is the app dapr.yaml describes, every component the code names is there for the app that uses
// it, the sidecars get their configuration, tokens and the repository's resiliency policy.
public sealed class DaprWiringTests
{
    public static TheoryData<string> Overlays => [.. Kustomize.Overlays];

    // The components each app's code names (its readiness checks exactly these).
    private static readonly Dictionary<string, IReadOnlyList<string>> ComponentsUsed = new()
    {
        ["order-command"] = OrderCommandApp.RequiredComponents,
        ["order-query"] = OrderQueryService.RequiredComponents,
    };

    // Connection details and sizing differ between a laptop and a cluster; nothing else may.
    private static readonly HashSet<string> ClusterSpecific = ["connectionString", "redisHost", "redisPassword", "maxLenApprox"];

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_app_of_dapr_yaml_is_one_Deployment_with_its_app_id_and_port(string overlay)
    {
        var manifests = Kustomize.Render(overlay);
        var apps = RunFile.AppPorts();

        Assert.Equal(apps.Keys.Order(), manifests.Deployments.Select(d => Manifests.Annotation(d, "dapr.io/app-id")).Order());
        foreach (var (appId, port) in apps)
        {
            var deployment = manifests.Deployment(appId);
            Assert.Equal(("true", port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                (Manifests.Annotation(deployment, "dapr.io/enabled"), Manifests.Annotation(deployment, "dapr.io/app-port")));
            var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
            Assert.Contains(container.Ports, p => p.ContainerPort == port);
            Assert.Contains(container.Env, e => e.Name == "ASPNETCORE_URLS" && e.Value == $"http://+:{port}");
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_component_the_code_names_is_deployed_and_scoped_to_the_app_that_uses_it(string overlay)
    {
        var components = Kustomize.Render(overlay).Components;

        foreach (var (appId, names) in ComponentsUsed)
        {
            foreach (var name in names)
            {
                var component = Assert.Single(components, c => c.Metadata.Name == name);
                Assert.True(component.Scopes.Count == 0 || component.Scopes.Contains(appId), $"{name} is not scoped to {appId}: {string.Join(", ", component.Scopes)}");
            }
        }

        // The order actors (order-command) need a state store marked as the actor store.
        var actorStore = Assert.Single(components, c => c.Value("actorStateStore") == "true");
        Assert.Contains("order-command", actorStore.Scopes);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_components_are_those_of_the_components_folder_but_for_connection_details(string overlay)
    {
        var local = Manifests.FromFiles(Directory.GetFiles(Path.Combine(Repository.Root, "components"), "*.yaml")).Components;
        var deployed = Kustomize.Render(overlay).Components;

        Assert.Equal(local.Select(c => c.Metadata.Name).Order(), deployed.Select(c => c.Metadata.Name).Order());
        foreach (var component in local)
        {
            var cluster = Assert.Single(deployed, c => c.Metadata.Name == component.Metadata.Name);
            Assert.Equal((component.Spec.Type, component.Spec.Version), (cluster.Spec.Type, cluster.Spec.Version));
            Assert.Equal(component.Scopes.Order(), cluster.Scopes.Order());
            Assert.Equal(Behaviour(component), Behaviour(cluster));
        }

        static string Behaviour(DaprComponent c) =>
            string.Join(", ", c.Spec.Metadata.Where(m => !ClusterSpecific.Contains(m.Name)).OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => $"{m.Name}={m.Value}"));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_resiliency_policy_is_the_one_of_the_components_folder(string overlay)
    {
        var local = Manifests.FromFiles([Path.Combine(Repository.Root, "components", "resiliency.yaml")]).All.OfType<DaprResiliency>().Single();
        var deployed = Assert.Single(Kustomize.Render(overlay).All.OfType<DaprResiliency>());

        Assert.Equal(local.Spec.Policies.Retries, deployed.Spec.Policies.Retries);
        Assert.Equal(
            local.Spec.Targets.Components.ToDictionary(t => t.Key, t => (t.Value.Inbound?.Retry, t.Value.Outbound?.Retry)),
            deployed.Spec.Targets.Components.ToDictionary(t => t.Key, t => (t.Value.Inbound?.Retry, t.Value.Outbound?.Retry)));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_sidecar_traces_through_the_configuration_it_names_and_uses_token_secrets(string overlay)
    {
        var manifests = Kustomize.Render(overlay);

        foreach (var deployment in manifests.Deployments)
        {
            var appId = Manifests.Annotation(deployment, "dapr.io/app-id");
            var configuration = manifests.Single<DaprConfiguration>(Manifests.Annotation(deployment, "dapr.io/config")!);
            Assert.Equal(deployment.Metadata.NamespaceProperty, configuration.Metadata.NamespaceProperty);
            Assert.NotNull(configuration.Spec.Tracing?.Otel?.EndpointAddress);
            Assert.InRange(double.Parse(configuration.Spec.Tracing.SamplingRate!, System.Globalization.CultureInfo.InvariantCulture), 0.0001, 1);
            Assert.Equal(($"{appId}-app-token", $"{appId}-api-token"),
                (Manifests.Annotation(deployment, "dapr.io/app-token-secret"), Manifests.Annotation(deployment, "dapr.io/api-token-secret")));
            Assert.Contains(deployment.Spec.Template.Spec.Containers.Single().Env, e => e.Name == "OTEL_EXPORTER_OTLP_ENDPOINT");
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_Deployment_runs_the_image_its_project_publishes(string overlay)
    {
        var manifests = Kustomize.Render(overlay);

        foreach (var (appId, project) in new[] { ("order-command", "OrderDapr.Command"), ("order-query", "OrderDapr.Query") })
        {
            Assert.Equal(ProjectImage.Of(project), manifests.Deployment(appId).Spec.Template.Spec.Containers.Single().Image);
        }
    }
}
