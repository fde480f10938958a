using System.Net;
using System.Text.Json;
using OrderDapr.Command.Tests.Hosting;
using OrderDapr.Testing;

namespace OrderDapr.Command.Tests;

// The probes Kubernetes calls (no token): live while the process serves, ready only while the
// sidecar answers and has loaded the components order-command needs.
public sealed class ProbeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ready_while_the_sidecar_runs_and_not_ready_once_it_stopped()
    {
        await using var host = await CommandHost.StartAsync();

        using (var ready = await host.Public.GetAsync("/healthz/ready", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(Ct)).RootElement;
            Assert.Equal(["eventstore", "orderpubsub"], body.GetProperty("components").EnumerateArray().Select(c => c.GetString()));
        }

        await host.Sidecar.DisposeAsync();

        var problem = await NotReadyAsync(host);
        Assert.Equal(["dapr-sidecar"], problem.GetProperty("down").EnumerateArray().Select(c => c.GetString()));
        Assert.Contains("sidecar", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var live = await host.Public.GetAsync("/healthz/live", Ct);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task Not_ready_while_a_component_it_needs_is_not_loaded()
    {
        var resources = Directory.CreateTempSubdirectory("components-");
        try
        {
            foreach (var file in Directory.GetFiles(Repository.Components).Where(f => Path.GetFileName(f) != "eventstore.yaml"))
            {
                File.Copy(file, Path.Combine(resources.FullName, Path.GetFileName(file)));
            }

            await using var host = await CommandHost.StartAsync(new CommandHostOptions { ResourcesPath = resources.FullName });

            var problem = await NotReadyAsync(host);
            Assert.Equal(["eventstore"], problem.GetProperty("down").EnumerateArray().Select(c => c.GetString()));
            Assert.Equal("The Dapr sidecar has not loaded the component eventstore.", problem.GetProperty("detail").GetString());
        }
        finally
        {
            resources.Delete(recursive: true);
        }
    }

    private static async Task<JsonElement> NotReadyAsync(CommandHost host)
    {
        using var response = await host.Public.GetAsync("/healthz/ready", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"ready answered {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(("not-ready", 503), (problem.GetProperty("code").GetString(), problem.GetProperty("status").GetInt32()));
        return problem;
    }
}
