using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
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
        var start = new ProcessStartInfo(kubectl, ["kustomize", directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"kubectl is needed to render k8s/ and was not found ({kubectl}: {ex.Message}). Install it (Debian: apt-get install kubernetes-client; .ci/run does) or set KUBECTL.", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"kubectl kustomize {directory} failed ({process.ExitCode}): {stderr.Result}");
            return stdout.Result;
        }
    }
}
