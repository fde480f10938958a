namespace DaprEmulator.Tests.Support;

// Component YAML as the tests need it.
public static class Yaml
{
    public static string Component(string name, string type, string version, IEnumerable<(string Name, string Value)>? metadata = null, IEnumerable<string>? scopes = null)
    {
        var md = string.Concat((metadata ?? []).Select(m => $"\n    - name: {m.Name}\n      value: \"{m.Value}\""));
        var sc = scopes is null ? "" : "\nscopes:" + string.Concat(scopes.Select(s => $"\n  - {s}"));
        return $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: {name}
            spec:
              type: {type}
              version: {version}
              metadata:{(md.Length == 0 ? " []" : md)}{sc}
            """;
    }

    public static string PostgresV2(string name, params (string Name, string Value)[] metadata) =>
        Component(name, "state.postgresql", "v2", [("connectionString", "host=localhost"), .. metadata]);

    public static string Redis(string name, params (string Name, string Value)[] metadata) =>
        Component(name, "pubsub.redis", "v1", [("redisHost", "localhost:6379"), .. metadata]);

    public static string ConstantRetry(string pubsub, string duration, int maxRetries) => $"""
        apiVersion: dapr.io/v1alpha1
        kind: Resiliency
        metadata:
          name: retries
        spec:
          policies:
            retries:
              deliveries:
                policy: constant
                duration: {duration}
                maxRetries: {maxRetries}
          targets:
            components:
              {pubsub}:
                inbound:
                  retry: deliveries
        """;
}
