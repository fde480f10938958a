using DaprEmulator.Components;

namespace DaprEmulator.Hosting;

// daprd resolves metadata templates per sidecar (pkg/runtime/meta convertItemsToProps): {uuid}
// (a new UUID each), {podName} (an error outside Kubernetes), {namespace} ("namespace.appId"),
// {appID}.
internal static class ComponentMetadata
{
    public static Dictionary<string, string> Resolve(ComponentDefinition component, string appId, string? ns)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, raw) in component.Metadata)
        {
            var value = raw;
            while (value.Contains("{uuid}", StringComparison.Ordinal))
            {
                var at = value.IndexOf("{uuid}", StringComparison.Ordinal);
                value = value[..at] + Guid.NewGuid() + value[(at + "{uuid}".Length)..];
            }

            if (value.Contains("{podName}", StringComparison.Ordinal))
            {
                throw new ResourceLoadException(
                    $"component {component.LogName}: failed to parse metadata: property {name} refers to {{podName}} but podName is not set");
            }

            value = value.Replace("{namespace}", $"{ns}.{appId}", StringComparison.Ordinal)
                .Replace("{appID}", appId, StringComparison.Ordinal);
            properties[name] = value;
        }

        return properties;
    }
}
