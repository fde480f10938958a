using System.Net;
using System.Text.Json;
using Dapr;
using Dapr.Actors;
using Dapr.Actors.Client;

namespace DaprEmulator.Tests.Actors;

public sealed class ActorInvocationTests
{
    [Fact]
    public async Task A_method_call_through_any_sidecar_reaches_the_host_and_returns_its_answer()
    {
        await using var bed = new ActorTestbed();
        var shopSidecar = await bed.StartSidecarAsync("shop");
        var otherSidecar = await bed.StartSidecarAsync("web");
        await bed.StartAppAsync("shop", shopSidecar, "shop-1");

        Assert.Equal("shop-1:a:hello", await ActorTestbed.Proxy("a", shopSidecar).Echo("hello"));
        Assert.Equal("shop-1:a:again", await ActorTestbed.Proxy("a", otherSidecar).Echo("again"));
    }

    [Fact]
    public async Task A_call_without_remoting_round_trips_json()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        await bed.StartAppAsync("shop", sidecar, "shop-1");
        var proxy = ActorProxy.Create(new ActorId("b"), TestActor.TypeName, new ActorProxyOptions { HttpEndpoint = sidecar.AbsoluteUri.TrimEnd('/') });

        Assert.Equal("shop-1:b:json", await proxy.InvokeMethodAsync<string, string>("Echo", "json", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task An_exception_in_the_actor_reaches_the_caller_as_ActorMethodInvocationException()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        await bed.StartAppAsync("shop", sidecar, "shop-1");

        var error = await Assert.ThrowsAsync<ActorMethodInvocationException>(() => ActorTestbed.Proxy("c", sidecar).Fail("boom"));

        Assert.Contains("InvalidOperationException", error.Message, StringComparison.Ordinal);
        Assert.Contains("boom", error.InnerException?.Message ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calling_an_actor_type_nobody_hosts_fails_with_daprds_error_after_its_retries()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        var proxy = ActorProxy.Create(new ActorId("x"), "NoSuchActor", new ActorProxyOptions { HttpEndpoint = sidecar.AbsoluteUri.TrimEnd('/') });

        var call = proxy.InvokeMethodAsync<string>("Anything", TestContext.Current.CancellationToken);
        await Eventually.UntilAdvancing(bed.Time, TimeSpan.FromSeconds(1), () => call.IsCompleted, "daprd's 5 lookup retries are over");

        var error = await Assert.ThrowsAsync<DaprApiException>(() => call);
        Assert.Equal("ERR_ACTOR_INVOKE_METHOD", error.ErrorCode);
        Assert.Equal("error invoke actor method: failed to lookup actor: did not find address for actor 'NoSuchActor||x'", error.Message);
    }

    [Fact]
    public async Task An_app_without_an_actor_state_store_hosts_no_actors()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        await bed.StartAppAsync("shop", sidecar, "shop-1", withStateStore: false);

        Assert.Contains(bed.Logs, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("Actor state store not configured", StringComparison.Ordinal));
        var call = ActorTestbed.Proxy("d", sidecar).Echo("hi");
        await Eventually.UntilAdvancing(bed.Time, TimeSpan.FromSeconds(1), () => call.IsCompleted, "the lookup retries are over");
        var error = await Assert.ThrowsAsync<DaprApiException>(() => call);
        Assert.Contains("did not find address for actor 'TestActor||d'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_app_that_enables_actor_reentrancy_is_refused_at_registration()
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");

        var error = await Assert.ThrowsAsync<NotSupportedException>(() =>
            bed.StartAppAsync("shop", sidecar, "shop-1", o => o.ReentrancyConfig = new Dapr.Actors.ActorReentrancyConfig { Enabled = true }));

        Assert.Equal("actor reentrancy is not supported by the emulator", error.Message);
    }

    [Theory]
    [InlineData("GET", "/v1.0/actors/TestActor/a/timers/t")]
    [InlineData("POST", "/v1.0/actors/TestActor/a/bulkstate")]
    [InlineData("DELETE", "/v1.0/actors/TestActor/a/state")]
    public async Task The_rest_of_the_actor_api_answers_501_with_a_dapr_error(string method, string path)
    {
        await using var bed = new ActorTestbed();
        var sidecar = await bed.StartSidecarAsync("shop");
        using var http = new HttpClient { BaseAddress = sidecar };

        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("ERR_API_UNIMPLEMENTED", body.RootElement.GetProperty("errorCode").GetString());
        Assert.EndsWith("not supported by the emulator", body.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
