namespace DaprEmulator.Resiliency;

// The resiliency policies one sidecar applies (Resiliency resources are filtered by their scopes).
public sealed class ResiliencyPolicies(IEnumerable<ResiliencyDefinition> definitions, string appId)
{
    private readonly List<ResiliencyDefinition> _definitions = [.. definitions.Where(d => d.AppliesTo(appId))];

    // pkg/resiliency ComponentInboundPolicy: the component's own target first, then the default
    // templates "Default{Pubsub}ComponentInboundRetryPolicy" (only when the component has no target).
    public RetryPolicy? PubSubInboundRetry(string pubsubName)
    {
        foreach (var d in _definitions)
        {
            if (d.ComponentInboundRetries.TryGetValue(pubsubName, out var retry))
            {
                return d.Retries[retry];
            }
        }

        foreach (var template in new[] { "DefaultPubsubComponentInboundRetryPolicy", "DefaultComponentInboundRetryPolicy" })
        {
            foreach (var d in _definitions)
            {
                if (d.Retries.TryGetValue(template, out var policy))
                {
                    return policy;
                }
            }
        }

        return null;
    }
}
