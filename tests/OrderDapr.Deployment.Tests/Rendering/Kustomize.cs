using System.Collections.Concurrent;
using OrderDapr.Testing;

namespace OrderDapr.Deployment.Tests.Rendering;

// `kubectl kustomize k8s/overlays/<overlay>`, as a user renders (or `kubectl apply -k` applies)
// them. kubectl comes from PATH, or from KUBECTL when that names another binary.
public static class Kustomize
{
    public static readonly string[] Overlays = ["local", "production"];

    private static readonly ConcurrentDictionary<string, Lazy<Manifests>> Rendered = new();

    public static Manifests Render(string overlay) =>
        Rendered.GetOrAdd(overlay, o => new Lazy<Manifests>(() => Manifests.Parse(Run(Path.Combine(Repository.Root, "k8s", "overlays", o))))).Value;

    private static string Run(string directory)
    {
        var kubectl = Environment.GetEnvironmentVariable("KUBECTL") is { Length: > 0 } given ? given : "kubectl";
        var (exitCode, output, errors) = CommandLineTool.Run(kubectl, ["kustomize", directory],
            "Install it (Debian: apt-get install kubernetes-client; .ci/run does) or set KUBECTL.");
        Assert.True(exitCode == 0, $"kubectl kustomize {directory} failed ({exitCode}): {errors}");
        return output;
    }
}
