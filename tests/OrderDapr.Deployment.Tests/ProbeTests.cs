using OrderDapr.Deployment.Tests.Rendering;

namespace OrderDapr.Deployment.Tests;

// Every probe the kubelet or the sidecar sends hits a GET route the app really maps, on the port
// the app listens on: a typo here would restart pods forever or never route traffic to them.
public sealed class ProbeTests
{
    public static TheoryData<string> Overlays => [.. Kustomize.Overlays];

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Readiness_and_liveness_probes_and_the_sidecars_app_health_check_hit_routes_the_app_maps(string overlay)
    {
        foreach (var deployment in Kustomize.Render(overlay).Deployments)
        {
            var appId = Manifests.Annotation(deployment, "dapr.io/app-id")!;
            var routes = AppRoutes.Of(appId);
            var container = deployment.Spec.Template.Spec.Containers.Single();

            Assert.Equal("/healthz/ready", container.ReadinessProbe.HttpGet.Path);
            Assert.Equal("/healthz/live", container.LivenessProbe.HttpGet.Path);
            foreach (var probe in new[] { container.ReadinessProbe, container.LivenessProbe })
            {
                Assert.Contains(probe.HttpGet.Path, routes);
                var port = probe.HttpGet.Port.Value;
                Assert.Contains(container.Ports, p => p.Name == port || p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == port);
            }

            Assert.Contains(Manifests.Annotation(deployment, "dapr.io/app-health-check-path")!, routes);
            // The sidecar's check must not depend on the sidecar: readiness asks it.
            Assert.NotEqual("/healthz/ready", Manifests.Annotation(deployment, "dapr.io/app-health-check-path"));
        }
    }
}
