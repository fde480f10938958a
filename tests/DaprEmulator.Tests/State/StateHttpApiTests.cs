using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DaprEmulator.Tests.Support;

namespace DaprEmulator.Tests.State;

// The Dapr HTTP API of the sidecar: state, health, metadata, and the errors for what is not emulated.
public sealed class StateHttpApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task State_saved_over_http_reads_back_with_its_etag_and_a_missing_key_is_204()
    {
        await using var env = await EmulatorWithApp.StartAsync("app", null, Yaml.PostgresV2("store"));
        using var http = new HttpClient { BaseAddress = new Uri(env.Sidecar.HttpEndpoint) };

        var save = await http.PostAsJsonAsync("/v1.0/state/store", new[] { new { key = "k", value = new { b = 1, a = 2 } } }, Ct);
        var get = await http.GetAsync("/v1.0/state/store/k", Ct);
        var missing = await http.GetAsync("/v1.0/state/store/nope", Ct);

        Assert.Equal(HttpStatusCode.NoContent, save.StatusCode);
        Assert.Equal("""{"a":2,"b":1}""", await get.Content.ReadAsStringAsync(Ct));
        Assert.True(Guid.TryParse(get.Headers.ETag?.Tag.Trim('"') ?? get.Headers.GetValues("ETag").Single(), out _));
        Assert.Equal(HttpStatusCode.NoContent, missing.StatusCode);
    }

    [Fact]
    public async Task A_stale_etag_over_http_is_409_with_ERR_STATE_SAVE()
    {
        await using var env = await EmulatorWithApp.StartAsync("app", null, Yaml.PostgresV2("store"));
        using var http = new HttpClient { BaseAddress = new Uri(env.Sidecar.HttpEndpoint) };
        await http.PostAsJsonAsync("/v1.0/state/store", new[] { new { key = "k", value = 1 } }, Ct);

        var response = await http.PostAsJsonAsync("/v1.0/state/store", new[] { new { key = "k", value = 2, etag = Guid.NewGuid().ToString() } }, Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("ERR_STATE_SAVE", body["errorCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_store_over_http_is_400_ERR_STATE_STORE_NOT_FOUND()
    {
        await using var env = await EmulatorWithApp.StartAsync("app", null, Yaml.PostgresV2("store"));
        using var http = new HttpClient { BaseAddress = new Uri(env.Sidecar.HttpEndpoint) };

        var response = await http.GetAsync("/v1.0/state/nope/k", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("ERR_STATE_STORE_NOT_FOUND", body["errorCode"]!.GetValue<string>());
        Assert.Equal("state store nope is not found", body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Health_checks_answer_204_and_the_sdk_sees_the_sidecar()
    {
        await using var env = await EmulatorWithApp.StartAsync("app", null, Yaml.PostgresV2("store"));
        using var http = new HttpClient { BaseAddress = new Uri(env.Sidecar.HttpEndpoint) };

        Assert.Equal(HttpStatusCode.NoContent, (await http.GetAsync("/v1.0/healthz", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.GetAsync("/v1.0/healthz/outbound", Ct)).StatusCode);
        Assert.True(await env.Client.CheckHealthAsync(Ct));
        await env.Client.WaitForSidecarAsync(Ct);
    }

    [Fact]
    public async Task Metadata_lists_the_app_id_and_the_components()
    {
        await using var env = await EmulatorWithApp.StartAsync("app", null, Yaml.PostgresV2("store"), Yaml.Redis("bus"));

        var metadata = await env.Client.GetMetadataAsync(Ct);

        Assert.Equal("app", metadata.Id);
        Assert.Equal(["bus/pubsub.redis/v1", "store/state.postgresql/v2"], metadata.Components.Select(c => $"{c.Name}/{c.Type}/{c.Version}").Order());
    }

    [Fact]
    public async Task Apis_that_are_not_emulated_answer_501_and_unknown_routes_404()
    {
        await using var env = await EmulatorWithApp.StartAsync("app", null, Yaml.PostgresV2("store"));
        using var http = new HttpClient { BaseAddress = new Uri(env.Sidecar.HttpEndpoint) };

        var invoke = await http.PostAsync("/v1.0/bindings/mail", null, Ct);
        var unknown = await http.GetAsync("/nothing/here", Ct);

        Assert.Equal(HttpStatusCode.NotImplemented, invoke.StatusCode);
        Assert.Equal("ERR_NOT_SUPPORTED_BY_EMULATOR", JsonNode.Parse(await invoke.Content.ReadAsStringAsync(Ct))!["errorCode"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task An_api_token_is_required_when_configured()
    {
        using var resources = new ResourcesFolder(Yaml.PostgresV2("store"));
        await using var emulator = await Hosting.DaprEmulatorHost.StartAsync(new Hosting.EmulatorOptions { ResourcesPaths = [resources.Path] }, Ct);
        var sidecar = await emulator.StartSidecarAsync(new Hosting.SidecarOptions { AppId = "app", ApiToken = "secret" }, Ct);
        using var anonymous = EmulatorWithApp.ClientFor(sidecar);
        using var authorized = new Dapr.Client.DaprClientBuilder()
            .UseGrpcEndpoint(sidecar.GrpcEndpoint).UseHttpEndpoint(sidecar.HttpEndpoint).UseDaprApiToken("secret").Build();
        using var http = new HttpClient { BaseAddress = new Uri(sidecar.HttpEndpoint) };

        var error = await Assert.ThrowsAsync<Dapr.DaprException>(() => anonymous.GetStateAsync<string>("store", "k", cancellationToken: Ct));
        await authorized.SaveStateAsync("store", "k", "v", cancellationToken: Ct);

        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, Assert.IsType<Grpc.Core.RpcException>(error.InnerException).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/v1.0/metadata", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.GetAsync("/v1.0/healthz", Ct)).StatusCode);
    }
}
