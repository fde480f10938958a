using DaprEmulator.Tests.Support;
using Grpc.Core;

namespace DaprEmulator.Tests.Security;

// A component whose `scopes` leave out an app id is not loaded by that app's sidecar (daprd
// pkg/runtime/processor: components are filtered by scopes before init), so its calls get the
// errors of a missing component: "state store X is not found" (ERR_STATE_STORE_NOT_FOUND,
// InvalidArgument) and "pubsub X is not found" (ERR_PUBSUB_NOT_FOUND, InvalidArgument), from
// pkg/api/errors state.go / pubsub.go.
public sealed class ComponentScopeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_state_store_scoped_to_another_app_is_not_found()
    {
        await using var env = await EmulatorWithApp.StartAsync(
            "order-query", null, Yaml.PostgresV2("readmodel"), Yaml.Component("eventstore", "state.postgresql", "v2", [("connectionString", "host=localhost")], ["order-command"]));
        await using var owner = await env.Emulator.StartSidecarAsync(new Hosting.SidecarOptions { AppId = "order-command" }, Ct);
        using var ownerClient = EmulatorWithApp.ClientFor(owner);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => env.Client.SaveStateAsync("eventstore", "k", "forged", cancellationToken: Ct));
        await ownerClient.SaveStateAsync("eventstore", "k", "v", cancellationToken: Ct);

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal((StatusCode.InvalidArgument, "state store eventstore is not found"), (rpc.StatusCode, rpc.Status.Detail));
        Assert.Equal("v", await ownerClient.GetStateAsync<string>("eventstore", "k", cancellationToken: Ct));
    }

    [Fact]
    public async Task A_pubsub_scoped_to_another_app_is_not_found()
    {
        await using var env = await EmulatorWithApp.StartAsync(
            "order-query", null, Yaml.Redis("events"), Yaml.Component("orderpubsub", "pubsub.redis", "v1", [("redisHost", "localhost:6379")], ["order-command"]));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => env.Client.PublishEventAsync("orderpubsub", "orders", new { forged = true }, Ct));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal((StatusCode.InvalidArgument, "pubsub orderpubsub is not found"), (rpc.StatusCode, rpc.Status.Detail));
        Assert.Empty(env.Emulator.GetPublishedMessages("orderpubsub", "orders"));
    }
}
