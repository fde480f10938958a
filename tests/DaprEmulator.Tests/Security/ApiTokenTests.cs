using System.Net;
using Dapr.Client;
using DaprEmulator.Hosting;
using DaprEmulator.Tests.Support;
using Grpc.Core;

namespace DaprEmulator.Tests.Security;

// DAPR_API_TOKEN as daprd enforces it: pkg/api/grpc/auth.go (an interceptor on every method of the
// Dapr service: Unauthenticated, ErrorFromHTTPResponseCode(401, ...) of pkg/messaging/v1/util.go) and
// pkg/api/http/middlewares.go APITokenAuthMiddleware (401 "invalid api token", health checks exempt).
public sealed class ApiTokenTests : IAsyncLifetime
{
    private const string Token = "the-token";

    private ResourcesFolder _resources = null!;
    private DaprEmulatorHost _emulator = null!;
    private DaprSidecar _sidecar = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _resources = new ResourcesFolder(Yaml.PostgresV2("store"), Yaml.Redis("bus"));
        _emulator = await DaprEmulatorHost.StartAsync(new EmulatorOptions { ResourcesPaths = [_resources.Path], LoggerFactory = TestLogging.Create() }, Ct);
        _sidecar = await _emulator.StartSidecarAsync(new SidecarOptions { AppId = "app", ApiToken = Token }, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _resources.Dispose();
    }

    [Fact]
    public async Task Every_grpc_method_refuses_a_call_without_the_token()
    {
        using var anonymous = Client(null);

        var calls = new Func<Task>[]
        {
            () => anonymous.GetStateAsync<string>("store", "k", cancellationToken: Ct),
            () => anonymous.SaveStateAsync("store", "k", "v", cancellationToken: Ct),
            () => anonymous.PublishEventAsync("bus", "orders", new { n = 1 }, Ct),
            () => anonymous.GetMetadataAsync(Ct),

            // Not emulated (Unimplemented with the token): the interceptor still answers first.
            () => anonymous.InvokeBindingAsync("mail", "create", new { n = 1 }, cancellationToken: Ct),
        };
        foreach (var call in calls)
        {
            var status = Unauthenticated(await Assert.ThrowsAnyAsync<Exception>(call));
            Assert.Equal("missing api token in request metadata", status.Detail);
        }

        Assert.Empty(_emulator.GetStateKeys("store"));
        Assert.Empty(_emulator.GetPublishedMessages("bus", "orders"));
    }

    [Fact]
    public async Task A_wrong_token_is_a_mismatch_and_the_right_one_is_let_through()
    {
        using var forger = Client("not-the-token");
        using var authorized = Client(Token);

        var refused = Unauthenticated(await Assert.ThrowsAnyAsync<Exception>(() => forger.SaveStateAsync("store", "k", "v", cancellationToken: Ct)));
        await authorized.SaveStateAsync("store", "k", "v", cancellationToken: Ct);
        var unimplemented = await Assert.ThrowsAnyAsync<Exception>(() => authorized.InvokeBindingAsync("mail", "create", new { n = 1 }, cancellationToken: Ct));

        Assert.Equal("authentication error: api token mismatch", refused.Detail);
        Assert.Equal("v", await authorized.GetStateAsync<string>("store", "k", cancellationToken: Ct));
        Assert.Equal(StatusCode.Unimplemented, Rpc(unimplemented).StatusCode);
    }

    [Fact]
    public async Task The_http_api_answers_401_except_on_the_health_checks()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_sidecar.HttpEndpoint) };
        using var authorized = new HttpClient { BaseAddress = new Uri(_sidecar.HttpEndpoint) };
        authorized.DefaultRequestHeaders.Add("dapr-api-token", Token);

        var refused = await http.PostAsync("/v1.0/publish/bus/orders", new StringContent("{}"), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("invalid api token\n", await refused.Content.ReadAsStringAsync(Ct));
        Assert.Empty(_emulator.GetPublishedMessages("bus", "orders"));
        Assert.Equal(HttpStatusCode.NoContent, (await http.GetAsync("/v1.0/healthz", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.GetAsync("/v1.0/healthz/outbound", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await authorized.PostAsync("/v1.0/publish/bus/orders", new StringContent("{}"), Ct)).StatusCode);
    }

    private DaprClient Client(string? token)
    {
        var builder = new DaprClientBuilder().UseGrpcEndpoint(_sidecar.GrpcEndpoint).UseHttpEndpoint(_sidecar.HttpEndpoint);
        return (token is null ? builder : builder.UseDaprApiToken(token)).Build();
    }

    private static RpcException Rpc(Exception e) => e as RpcException ?? Assert.IsType<RpcException>(e.InnerException);

    // The status daprd sends: Unauthenticated, "Unauthorized", and an ErrorInfo (reason
    // "Unauthorized", http.code 401, http.error_message the detail) in grpc-status-details-bin.
    private static (StatusCode Code, string Detail) Unauthenticated(Exception e)
    {
        var rpc = Rpc(e);
        Assert.Equal((StatusCode.Unauthenticated, "Unauthorized"), (rpc.StatusCode, rpc.Status.Detail));
        var status = Google.Rpc.Status.Parser.ParseFrom(rpc.Trailers.GetValueBytes("grpc-status-details-bin"));
        var info = status.Details.Single().Unpack<Google.Rpc.ErrorInfo>();
        Assert.Equal(("Unauthorized", "dapr.io", "401"), (info.Reason, info.Domain, info.Metadata["http.code"]));
        return (rpc.StatusCode, info.Metadata["http.error_message"]);
    }
}
