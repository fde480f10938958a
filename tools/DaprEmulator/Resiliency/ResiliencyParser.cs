using System.Globalization;
using DaprEmulator.Components;
using DaprEmulator.GoFormats;

namespace DaprEmulator.Resiliency;

// Parses `kind: Resiliency` (dapr/dapr pkg/apis/resiliency/v1alpha1). Only what changes the
// behaviour of emulated features is accepted: retry policies applied to pub/sub deliveries
// (targets.components.X.inbound.retry). Timeouts, circuit breakers, app/actor targets and
// outbound (state store) policies would silently do nothing here, so they fail loudly.
internal static class ResiliencyParser
{
    private static readonly string[] AcceptedDefaultRetries =
        ["DefaultPubsubComponentInboundRetryPolicy", "DefaultComponentInboundRetryPolicy"];

    public static ResiliencyDefinition Parse(Dictionary<string, object?> doc, string where)
    {
        YamlTree.RejectUnknownKeys(doc, where, "apiVersion", "kind", "metadata", "spec", "scopes");
        var meta = YamlTree.Map(doc.GetValueOrDefault("metadata"), $"{where}: metadata");
        var name = YamlTree.Scalar(meta.GetValueOrDefault("name"), $"{where}: metadata.name") ?? "";
        var at = $"{where}: resiliency '{name}'";
        var spec = YamlTree.Map(doc.GetValueOrDefault("spec"), $"{at}: spec");
        YamlTree.RejectUnknownKeys(spec, $"{at}: spec", "policies", "targets");

        var policies = YamlTree.Map(spec.GetValueOrDefault("policies"), $"{at}: spec.policies");
        YamlTree.RejectUnknownKeys(policies, $"{at}: spec.policies", "retries", "timeouts", "circuitBreakers");
        foreach (var kind in new[] { "timeouts", "circuitBreakers" })
        {
            if (YamlTree.Map(policies.GetValueOrDefault(kind), $"{at}: {kind}").Count > 0)
            {
                throw new ResourceLoadException($"{at}: spec.policies.{kind} are not emulated (only retries are)");
            }
        }

        var retries = new Dictionary<string, RetryPolicy>(StringComparer.Ordinal);
        foreach (var (retryName, value) in YamlTree.Map(policies.GetValueOrDefault("retries"), $"{at}: spec.policies.retries"))
        {
            if (retryName.StartsWith("DaprBuiltIn", StringComparison.Ordinal) ||
                (retryName.StartsWith("Default", StringComparison.Ordinal) && !AcceptedDefaultRetries.Contains(retryName)))
            {
                throw new ResourceLoadException(
                    $"{at}: retry policy '{retryName}' would apply to Dapr features the emulator does not emulate (service invocation, actors, outbound calls); only {string.Join(" and ", AcceptedDefaultRetries)} are accepted as default policies");
            }

            retries[retryName] = ParseRetry(retryName, YamlTree.Map(value, $"{at}: retry '{retryName}'"), $"{at}: retry '{retryName}'");
        }

        var inbound = new Dictionary<string, string>(StringComparer.Ordinal);
        var targets = YamlTree.Map(spec.GetValueOrDefault("targets"), $"{at}: spec.targets");
        YamlTree.RejectUnknownKeys(targets, $"{at}: spec.targets", "components", "apps", "actors");
        if (YamlTree.Map(targets.GetValueOrDefault("apps"), $"{at}: targets.apps").Count > 0 ||
            YamlTree.Map(targets.GetValueOrDefault("actors"), $"{at}: targets.actors").Count > 0)
        {
            throw new ResourceLoadException($"{at}: targets.apps and targets.actors are not emulated (only targets.components.*.inbound.retry is)");
        }

        foreach (var (component, value) in YamlTree.Map(targets.GetValueOrDefault("components"), $"{at}: targets.components"))
        {
            var target = YamlTree.Map(value, $"{at}: targets.components.{component}");
            YamlTree.RejectUnknownKeys(target, $"{at}: targets.components.{component}", "inbound", "outbound");
            if (YamlTree.Map(target.GetValueOrDefault("outbound"), "outbound").Count > 0)
            {
                throw new ResourceLoadException($"{at}: targets.components.{component}.outbound is not emulated (only inbound retries of pub/sub deliveries are)");
            }

            var inboundPolicy = YamlTree.Map(target.GetValueOrDefault("inbound"), $"{at}: targets.components.{component}.inbound");
            YamlTree.RejectUnknownKeys(inboundPolicy, $"{at}: targets.components.{component}.inbound", "retry");
            var retry = YamlTree.Scalar(inboundPolicy.GetValueOrDefault("retry"), "retry");
            if (!string.IsNullOrEmpty(retry))
            {
                if (!retries.ContainsKey(retry))
                {
                    throw new ResourceLoadException($"{at}: targets.components.{component}.inbound.retry names an undefined retry policy '{retry}'");
                }

                inbound[component] = retry;
            }
        }

        return new ResiliencyDefinition
        {
            Name = name,
            Scopes = [.. YamlTree.List(doc.GetValueOrDefault("scopes"), $"{at}: scopes").Select(s => YamlTree.Scalar(s, "scope") ?? "")],
            Retries = retries,
            ComponentInboundRetries = inbound,
            Source = where,
        };
    }

    private static RetryPolicy ParseRetry(string name, Dictionary<string, object?> map, string at)
    {
        YamlTree.RejectUnknownKeys(map, at, "policy", "duration", "initialInterval", "randomizationFactor", "multiplier",
            "maxInterval", "maxElapsedTime", "maxRetries");
        var policy = new RetryPolicy { Name = name };
        string? Get(string key) => YamlTree.Scalar(map.GetValueOrDefault(key), $"{at}: {key}");
        try
        {
            policy = Get("policy") switch
            {
                null or "" or "constant" => policy with { Policy = BackoffKind.Constant },
                "exponential" => policy with { Policy = BackoffKind.Exponential },
                var other => throw new ResourceLoadException($"{at}: unknown retry policy '{other}' (constant or exponential)"),
            };
            if (Get("duration") is { } duration)
            {
                policy = policy with { Duration = GoDuration.Parse(duration) };
            }

            if (Get("initialInterval") is { } initial)
            {
                policy = policy with { InitialInterval = GoDuration.Parse(initial) };
            }

            if (Get("maxInterval") is { } maxInterval)
            {
                policy = policy with { MaxInterval = GoDuration.Parse(maxInterval) };
            }

            if (Get("maxElapsedTime") is { } maxElapsed)
            {
                policy = policy with { MaxElapsedTime = GoDuration.Parse(maxElapsed) };
            }

            if (Get("multiplier") is { } multiplier)
            {
                policy = policy with { Multiplier = double.Parse(multiplier, CultureInfo.InvariantCulture) };
            }

            if (Get("randomizationFactor") is { } factor)
            {
                policy = policy with { RandomizationFactor = double.Parse(factor, CultureInfo.InvariantCulture) };
            }

            if (Get("maxRetries") is { } maxRetries)
            {
                policy = policy with { MaxRetries = long.Parse(maxRetries, CultureInfo.InvariantCulture) };
            }
        }
        catch (FormatException e)
        {
            throw new ResourceLoadException($"{at}: invalid retry configuration: {e.Message}", e);
        }

        return policy;
    }
}
