using System.Net;
using System.Text.Json;
using OrderDapr.EndToEnd.Tests.Fixtures;

namespace OrderDapr.EndToEnd.Tests.Observability;

// The probes of both services as the kubelet calls them (no token), while order-query's sidecar
// runs and once it is gone. A system of its own: the test stops a sidecar.
[Collection(nameof(SidecarLossSystem))]
public sealed class ReadinessTests(SidecarLossOrderSystem system)
{
    [Fact]
    public async Task Order_query_is_not_ready_once_its_sidecar_stopped_and_stays_live()
    {
        using var http = new HttpClient();
        foreach (var service in new[] { system.CommandBaseAddress, system.QueryBaseAddress })
        {
            await Eventually.Async(async () =>
            {
                using var ready = await http.GetAsync(new Uri(service, "/healthz/ready"));
                return ready.StatusCode == HttpStatusCode.OK;
            }, $"{service} to be ready");
        }

        using (var ready = await http.GetAsync(new Uri(system.QueryBaseAddress, "/healthz/ready")))
        {
            var components = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("components");
            Assert.Equal(["readmodel", "orderpubsub", "orderchanges"], components.EnumerateArray().Select(c => c.GetString()));
        }

        await system.QuerySidecar.DisposeAsync();

        using var notReady = await http.GetAsync(new Uri(system.QueryBaseAddress, "/healthz/ready"));
        var text = await notReady.Content.ReadAsStringAsync();
        Assert.True(notReady.StatusCode == HttpStatusCode.ServiceUnavailable, $"ready answered {(int)notReady.StatusCode}: {text}");
        Assert.Equal("application/problem+json", notReady.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("not-ready", problem.GetProperty("code").GetString());
        Assert.Equal(["dapr-sidecar"], problem.GetProperty("down").EnumerateArray().Select(d => d.GetString()));

        using var live = await http.GetAsync(new Uri(system.QueryBaseAddress, "/healthz/live"));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var commandReady = await http.GetAsync(new Uri(system.CommandBaseAddress, "/healthz/ready"));
        Assert.Equal(HttpStatusCode.OK, commandReady.StatusCode);
    }
}

public sealed class SidecarLossOrderSystem : OrderSystem;

[CollectionDefinition(nameof(SidecarLossSystem))]
public sealed class SidecarLossSystem : ICollectionFixture<SidecarLossOrderSystem>;
