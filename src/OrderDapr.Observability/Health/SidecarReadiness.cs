using Dapr;
using Dapr.Client;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace OrderDapr.Observability.Health;

// Whether the app can do its work: its Dapr sidecar answers (GET /v1.0/healthz/outbound, the
// sidecar's own readiness to serve the app) and has loaded every component the app names
// (the metadata API lists the components a sidecar loaded, scopes applied).
public sealed class SidecarReadiness(DaprClient dapr, IOptions<ReadinessOptions> options)
{
    public async Task<Readiness> CheckAsync(IReadOnlyCollection<string> components, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.SidecarTimeout);
        try
        {
            if (!await dapr.CheckOutboundHealthAsync(timeout.Token))
            {
                return new([Readiness.Sidecar], "The Dapr sidecar does not answer its health check (GET /v1.0/healthz/outbound).");
            }

            var metadata = await dapr.GetMetadataAsync(timeout.Token);
            var loaded = metadata.Components.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            var missing = components.Where(c => !loaded.Contains(c)).ToList();
            return missing.Count == 0
                ? Readiness.Ready(components)
                : new(missing, $"The Dapr sidecar has not loaded the component{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)}.");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is DaprException or RpcException or HttpRequestException or OperationCanceledException)
        {
            return new([Readiness.Sidecar], $"The Dapr sidecar cannot be reached: {Reason(ex, timeout.IsCancellationRequested)}");
        }
    }

    private string Reason(Exception ex, bool timedOut) =>
        timedOut ? $"no answer within {options.Value.SidecarTimeout.TotalSeconds:0.#} s." : (ex.InnerException ?? ex).Message;
}
