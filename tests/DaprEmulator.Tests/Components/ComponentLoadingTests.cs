using DaprEmulator.Components;
using DaprEmulator.Hosting;
using DaprEmulator.Tests.Support;

namespace DaprEmulator.Tests.Components;

public sealed class ComponentLoadingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<DaprEmulatorHost> Start(ResourcesFolder resources) =>
        DaprEmulatorHost.StartAsync(new EmulatorOptions { ResourcesPaths = [resources.Path] }, Ct);

    [Fact]
    public async Task An_unsupported_component_type_fails_at_start_with_daprds_message()
    {
        using var resources = new ResourcesFolder(Yaml.Component("store", "state.foo", "v1"));

        var error = await Assert.ThrowsAsync<ResourceLoadException>(() => Start(resources));

        Assert.Contains("[CREATE_COMPONENT_FAILURE]: initialization error occurred for store (state.foo/v1): couldn't find state store state.foo/v1", error.Message, StringComparison.Ordinal);
        Assert.Contains("the emulator emulates only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_real_dapr_type_that_is_not_emulated_fails_loudly_too()
    {
        using var resources = new ResourcesFolder(Yaml.Component("bus", "pubsub.kafka", "v1"));

        var error = await Assert.ThrowsAsync<ResourceLoadException>(() => Start(resources));

        Assert.Contains("couldn't find message bus pubsub.kafka/v1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_type_with_ignoreErrors_is_skipped()
    {
        using var resources = new ResourcesFolder("""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: optional
            spec:
              type: bindings.cron
              version: v1
              ignoreErrors: true
            """);
        await using var emulator = await Start(resources);

        var sidecar = await emulator.StartSidecarAsync(new SidecarOptions { AppId = "app" }, Ct);

        Assert.Empty(sidecar.ComponentNames);
    }

    [Theory]
    [InlineData("Subscription")]
    [InlineData("Configuration")]
    [InlineData("HTTPEndpoint")]
    public async Task Resource_kinds_that_are_not_emulated_fail_at_load(string kind)
    {
        using var resources = new ResourcesFolder($"""
            apiVersion: dapr.io/v1alpha1
            kind: {kind}
            metadata:
              name: something
            spec:
              type: x
            """);

        var error = await Assert.ThrowsAsync<ResourceLoadException>(() => Start(resources));

        Assert.Contains($"resources of kind '{kind}' are not supported by the emulator", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secret_reference_fails_at_load()
    {
        using var resources = new ResourcesFolder("""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: store
            spec:
              type: state.postgresql
              version: v2
              metadata:
                - name: connectionString
                  secretKeyRef:
                    name: pg
                    key: connection
            """);

        var error = await Assert.ThrowsAsync<ResourceLoadException>(() => Start(resources));

        Assert.Contains("secret stores are not emulated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_documents_in_one_file_are_all_loaded()
    {
        using var resources = new ResourcesFolder(
            Yaml.PostgresV2("eventstore") + "\n---\n" + Yaml.Redis("orderpubsub") + "\n---\n" + Yaml.ConstantRetry("orderpubsub", "10ms", 3));

        var loaded = ResourceLoader.Load([resources.Path]);

        Assert.Equal(["eventstore", "orderpubsub"], loaded.Components.Select(c => c.Name));
        Assert.Equal(3, loaded.Resiliencies.Single().Retries["deliveries"].MaxRetries);
    }

    [Fact]
    public async Task A_scoped_component_is_only_loaded_by_the_listed_app_ids()
    {
        using var resources = new ResourcesFolder(Yaml.Component("eventstore", "state.postgresql", "v2", [("connectionString", "x")], ["order-command"]));
        await using var emulator = await Start(resources);

        var command = await emulator.StartSidecarAsync(new SidecarOptions { AppId = "order-command" }, Ct);
        var query = await emulator.StartSidecarAsync(new SidecarOptions { AppId = "order-query" }, Ct);
        using var queryClient = EmulatorWithApp.ClientFor(query);

        Assert.Equal(["eventstore"], command.ComponentNames);
        Assert.Empty(query.ComponentNames);
        var error = await Assert.ThrowsAsync<Dapr.DaprException>(() => queryClient.GetStateAsync<string>("eventstore", "k", cancellationToken: Ct));
        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, Assert.IsType<Grpc.Core.RpcException>(error.InnerException).StatusCode);
    }

    [Fact]
    public async Task Resiliency_features_that_are_not_emulated_fail_at_load()
    {
        using var resources = new ResourcesFolder("""
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata:
              name: r
            spec:
              policies:
                timeouts:
                  fast: 1s
              targets:
                apps:
                  other:
                    timeout: fast
            """);

        var error = await Assert.ThrowsAsync<ResourceLoadException>(() => Start(resources));

        Assert.Contains("timeouts are not emulated", error.Message, StringComparison.Ordinal);
    }
}
