using k8s;
using k8s.Models;
using OrderDapr.Deployment.Tests.Dapr;

namespace OrderDapr.Deployment.Tests.Rendering;

// The objects of a rendered set of manifests, typed: Kubernetes' own kinds with KubernetesClient's
// models, Dapr's custom resources with the models of Dapr/.
public sealed class Manifests(IReadOnlyList<object> objects)
{
    private static readonly Dictionary<string, Type> DaprKinds = new()
    {
        ["dapr.io/v1alpha1/Component"] = typeof(DaprComponent),
        ["dapr.io/v1alpha1/Configuration"] = typeof(DaprConfiguration),
        ["dapr.io/v1alpha1/Resiliency"] = typeof(DaprResiliency),
    };

    public IReadOnlyList<object> All => objects;

    public IReadOnlyList<V1Deployment> Deployments => [.. objects.OfType<V1Deployment>()];

    public IReadOnlyList<DaprComponent> Components => [.. objects.OfType<DaprComponent>()];

    public IReadOnlyList<V1PodDisruptionBudget> DisruptionBudgets => [.. objects.OfType<V1PodDisruptionBudget>()];

    public IReadOnlyList<V2HorizontalPodAutoscaler> Autoscalers => [.. objects.OfType<V2HorizontalPodAutoscaler>()];

    public V1Deployment Deployment(string appId) =>
        Assert.Single(Deployments, d => Annotation(d, "dapr.io/app-id") == appId);

    public static string? Annotation(V1Deployment deployment, string name) =>
        deployment.Spec.Template.Metadata.Annotations is { } annotations && annotations.TryGetValue(name, out var value) ? value : null;

    public T Single<T>(string name)
        where T : IKubernetesObject<V1ObjectMeta> =>
        Assert.Single(objects.OfType<T>(), o => o.Metadata.Name == name);

    public static Manifests Parse(string yaml) => new(KubernetesYaml.LoadAllFromString(yaml, DaprKinds));

    // Dapr's own YAML files (components/), one object per file or several separated by ---.
    public static Manifests FromFiles(IEnumerable<string> files) =>
        new([.. files.SelectMany(f => KubernetesYaml.LoadAllFromString(File.ReadAllText(f), DaprKinds))]);
}
