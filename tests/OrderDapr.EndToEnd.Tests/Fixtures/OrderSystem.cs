using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrderDapr.Chaos;
using OrderDapr.Contracts;
using OrderDapr.EndToEnd.Tests.Fixtures.Probe;
using OrderDapr.EndToEnd.Tests.Fixtures.Runtimes;
using OrderDapr.Testing;

namespace OrderDapr.EndToEnd.Tests.Fixtures;

// The running system: a Dapr runtime (ORDERDAPR_RUNTIME: the emulator, or real daprd in Docker),
// a sidecar per app, order-command and order-query as processes, and the probe subscriber that
// sees what reaches the broker. Tests reach it through public APIs only: the apps' HTTP and
// GraphQL, and Dapr's API of the sidecars. Shared by every test of a collection; tests use fresh
// order and customer ids so that they do not see each other's data.
public class OrderSystem : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly List<ServiceProcess> commandReplicas = [];
    private IDaprRuntime? runtime;
    private string? resourcesPath;
    private ProbeSubscriber? probe;
    private ServiceProcess? commandService;
    private ServiceProcess? queryService;
    private RunningSidecar? commandSidecar;
    private SystemViewReader? views;

    public OrderApi Commands { get; private set; } = null!;

    public GraphQLApi GraphQL { get; private set; } = null!;

    // "emulator" or "daprd".
    public string RuntimeName => runtime!.Name;

    public string CommandSidecarGrpcEndpoint => commandSidecar!.GrpcEndpoint;

    public RunningSidecar CommandSidecar => commandSidecar!;

    public RunningSidecar QuerySidecar { get; private set; } = null!;

    public RunningSidecar ProbeSidecar { get; private set; } = null!;

    // Each app's sidecar requires DAPR_API_TOKEN of the app and sends APP_API_TOKEN to it, as
    // `run` and Kubernetes set them up.
    public IReadOnlyDictionary<string, (string DaprApiToken, string AppApiToken)> Tokens { get; } = new Dictionary<string, (string, string)>
    {
        ["order-command"] = (NewToken(), NewToken()),
        ["order-query"] = (NewToken(), NewToken()),
        [ProbeSubscriber.AppId] = (NewToken(), NewToken()),
    };

    public Uri CommandBaseAddress => commandService!.BaseAddress;

    public Uri QueryBaseAddress => queryService!.BaseAddress;

    protected virtual IReadOnlyDictionary<string, string> CommandEnvironment => new Dictionary<string, string>();

    // The runtime the environment selects (DaprRuntimes); a fixture that needs the emulator's data
    // somewhere in particular starts its own.
    protected virtual IDaprRuntime CreateRuntime() => DaprRuntimes.Create();

    // The operator's token of order-query's /admin routes.
    public string AdminToken { get; } = NewToken();

    protected virtual IReadOnlyDictionary<string, string> QueryEnvironment => new Dictionary<string, string> { ["ADMIN_TOKEN"] = AdminToken };

    public async ValueTask InitializeAsync()
    {
        runtime = CreateRuntime();
        var servers = await runtime.StartAsync();

        // The probe may subscribe to and publish on the broker the apps use.
        resourcesPath = new ComponentRewrite(
            new Dictionary<string, IReadOnlyList<string>> { [Messaging.PubSub] = [ProbeSubscriber.AppId] }, servers)
            .WriteFolder(Path.Combine(Repository.Root, "components"));

        var probeTokens = Tokens[ProbeSubscriber.AppId];
        probe = await ProbeSubscriber.StartAsync(FreePort.Next(), Messaging.PubSub, Messaging.OrdersTopic, probeTokens.AppApiToken);
        ProbeSidecar = await StartSidecarAsync(ProbeSubscriber.AppId, probe.Port);
        probe.Attach(ProbeSidecar.Http, probeTokens.DaprApiToken);
        await WaitUntilReadyAsync(ProbeSidecar);

        commandSidecar = await StartSidecarAsync("order-command", FreePort.Next());
        var querySidecar = QuerySidecar = await StartSidecarAsync("order-query", FreePort.Next());

        // The order pages served by order-query place orders through order-command from the browser.
        var commandOrigin = $"http://127.0.0.1:{commandSidecar.AppPort}";
        var queryOrigin = $"http://127.0.0.1:{querySidecar.AppPort}";
        commandService = new ServiceProcess("OrderDapr.Command", commandSidecar.AppPort, commandSidecar.HttpPort, commandSidecar.GrpcPort,
            Environment("order-command", new Dictionary<string, string>(CommandEnvironment) { ["Cors__AllowedOrigins__0"] = queryOrigin }));
        queryService = new ServiceProcess("OrderDapr.Query", querySidecar.AppPort, querySidecar.HttpPort, querySidecar.GrpcPort,
            Environment("order-query", new Dictionary<string, string>(QueryEnvironment) { ["Frontend__CommandApiUrl"] = commandOrigin }));
        await Task.WhenAll(commandService.StartAsync(StartTimeout), queryService.StartAsync(StartTimeout));
        await Task.WhenAll(WaitUntilReadyAsync(commandSidecar), WaitUntilReadyAsync(querySidecar), WaitUntilActorsPlacedAsync(commandSidecar));

        Commands = new OrderApi(new HttpClient { BaseAddress = commandService.BaseAddress, Timeout = TimeSpan.FromSeconds(60) });
        GraphQL = new GraphQLApi(new HttpClient { BaseAddress = queryService.BaseAddress, Timeout = TimeSpan.FromSeconds(30) });
        views = new SystemViewReader(commandService.BaseAddress, Tokens["order-command"].AppApiToken, GraphQL, queryService.BaseAddress, AdminToken, probe);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in commandReplicas.Append(commandService).Append(queryService).OfType<ServiceProcess>())
        {
            await process.DisposeAsync();
        }

        if (runtime is not null)
        {
            await runtime.DisposeAsync();
        }

        if (probe is not null)
        {
            await probe.DisposeAsync();
        }

        if (resourcesPath is not null)
        {
            Directory.Delete(resourcesPath, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    // The events of one order published on `orders`, once `count` distinct ones are there: the
    // first CloudEvent of each (order-command publishes every event twice, right after the commit
    // and through the outbox).
    public async Task<IReadOnlyList<JsonElement>> EventuallyPublishedAsync(string orderId, int count)
    {
        IReadOnlyList<JsonElement> found = [];
        await Eventually.Async(() =>
        {
            found = PublishedEventsOf(orderId);
            return Task.FromResult(found.Count >= count);
        }, $"{count} published events of order {orderId}");
        return found;
    }

    // The distinct events of one order published on `orders` once the system has settled: nothing
    // published later can be missed.
    public async Task<IReadOnlyList<JsonElement>> PublishedOnceQuietAsync(string orderId)
    {
        await views!.SettledAsync();
        return PublishedEventsOf(orderId);
    }

    // Runs a request that must change nothing, and checks that it stored and published nothing.
    public async Task<Answer> AssertChangesNothingAsync(Func<Task<Answer>> request)
    {
        Answer? answer = null;
        await AssertChangesNothingAsync(async () => { answer = await request(); });
        return answer!;
    }

    // Runs requests that must change nothing: no event stored, none published, no order shown
    // otherwise by GraphQL, nothing parked. Compared once the system has settled before and after.
    public async Task AssertChangesNothingAsync(Func<Task> requests)
    {
        var before = await views!.SettledAsync();

        await requests();

        var after = await views.SettledAsync();
        Assert.Equal(before.ToString(), after.ToString());
    }

    // Hands a published event to the broker once more, as an at-least-once broker may (the probe
    // publishes it again unchanged through its sidecar), and waits until the broker has delivered
    // the copy: every subscriber, order-query included, receives it.
    public async Task RedeliverAsync(JsonElement cloudEvent)
    {
        var id = cloudEvent.GetProperty("id").GetString();
        int Copies() => probe!.Delivered.Count(e => e.GetProperty("id").GetString() == id);
        var before = Copies();
        await probe!.RepublishAsync(cloudEvent);
        await Eventually.Async(() => Task.FromResult(Copies() > before), $"the copy of {id} to be delivered");
    }

    public async Task<bool> ReminderExistsAsync(string orderId, string reminder)
    {
        using var http = new HttpClient { BaseAddress = commandSidecar!.Http };
        http.DefaultRequestHeaders.Add("dapr-api-token", Tokens["order-command"].DaprApiToken);
        var response = await http.GetAsync($"/v1.0/actors/OrderActor/{orderId}/reminders/{reminder}");
        return response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync()).Length > 0;
    }

    // The callback the Scheduler makes when a reminder is due, made now (with the app token, as the
    // sidecar makes it).
    public async Task<HttpStatusCode> TriggerReminderAsync(string orderId, string reminder)
    {
        using var http = new HttpClient { BaseAddress = commandService!.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/actors/OrderActor/{orderId}/method/remind/{reminder}")
        {
            Content = new StringContent("""{"dueTime":"","period":""}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("dapr-api-token", Tokens["order-command"].AppApiToken);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    public Task StopCommandServiceAsync() => commandService!.KillAsync();

    public Task StartCommandServiceAsync() => commandService!.StartAsync(StartTimeout);

    public async Task RestartCommandServiceAsync()
    {
        await StopCommandServiceAsync();
        await StartCommandServiceAsync();
    }

    // A second order-command: its own sidecar and process, the same app id, stores and consumer group.
    public async Task<OrderApi> StartCommandReplicaAsync()
    {
        var sidecar = await StartSidecarAsync("order-command", FreePort.Next());
        var replica = new ServiceProcess("OrderDapr.Command", sidecar.AppPort, sidecar.HttpPort, sidecar.GrpcPort, Environment("order-command", CommandEnvironment));
        commandReplicas.Add(replica);
        await replica.StartAsync(StartTimeout);
        await WaitUntilReadyAsync(sidecar);
        await WaitUntilActorsPlacedAsync(sidecar);
        return new OrderApi(new HttpClient { BaseAddress = replica.BaseAddress, Timeout = TimeSpan.FromSeconds(60) });
    }

    // GET /v1.0/metadata of a sidecar, with its app's API token.
    public async Task<JsonElement> MetadataAsync(RunningSidecar sidecar)
    {
        using var http = new HttpClient { BaseAddress = sidecar.Http };
        http.DefaultRequestHeaders.Add("dapr-api-token", Tokens[sidecar.AppId].DaprApiToken);
        return await http.GetFromJsonAsync<JsonElement>("/v1.0/metadata");
    }

    private List<JsonElement> PublishedEventsOf(string orderId) =>
        [.. probe!.Delivered
            .Where(e => e.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object
                        && d.TryGetProperty("orderId", out var id) && id.GetString() == orderId)
            .DistinctBy(e => e.GetProperty("data").GetProperty("eventId").GetString())];

    private Dictionary<string, string> Environment(string appId, IReadOnlyDictionary<string, string> extra)
    {
        var environment = new Dictionary<string, string>(extra)
        {
            ["DAPR_API_TOKEN"] = Tokens[appId].DaprApiToken,
            ["APP_API_TOKEN"] = Tokens[appId].AppApiToken,
        };
        return environment;
    }

    private static string NewToken() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private Task<RunningSidecar> StartSidecarAsync(string appId, int appPort)
    {
        var (daprApiToken, appApiToken) = Tokens[appId];
        return runtime!.StartSidecarAsync(new SidecarSpec(appId, appPort, new SidecarTokens(daprApiToken, appApiToken), resourcesPath!));
    }

    // GET /v1.0/healthz answers 204 once the sidecar has found its app, read its subscriptions and
    // registered its actors.
    private static Task WaitUntilReadyAsync(RunningSidecar sidecar) =>
        Eventually.Async(async () =>
        {
            using var http = new HttpClient { BaseAddress = sidecar.Http };
            try
            {
                return (await http.GetAsync("/v1.0/healthz")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, $"the sidecar of {sidecar.AppId} to be ready", StartTimeout);

    // The metadata API's actorRuntime.hostReady: the app's actor types are registered and the
    // sidecar is connected to placement, so actor calls can be routed to it.
    private Task WaitUntilActorsPlacedAsync(RunningSidecar sidecar) =>
        Eventually.Async(async () =>
            (await MetadataAsync(sidecar)).TryGetProperty("actorRuntime", out var actors)
            && actors.TryGetProperty("hostReady", out var ready) && ready.ValueKind == JsonValueKind.True,
            $"the sidecar of {sidecar.AppId} to host its actors", StartTimeout);
}

[CollectionDefinition(nameof(RunningSystem))]
public sealed class RunningSystem : ICollectionFixture<OrderSystem>;

public sealed class RestartableOrderSystem : OrderSystem;

[CollectionDefinition(nameof(RestartableSystem))]
public sealed class RestartableSystem : ICollectionFixture<RestartableOrderSystem>;

public sealed class ShortPaymentDeadlineOrderSystem : OrderSystem
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    protected override IReadOnlyDictionary<string, string> CommandEnvironment => new Dictionary<string, string>
    {
        ["Orders__PaymentDeadline"] = Deadline.ToString("c"),
        ["Orders__PaymentDeadlineRetryPeriod"] = Deadline.ToString("c"),
    };
}

[CollectionDefinition(nameof(ShortPaymentDeadlineSystem))]
public sealed class ShortPaymentDeadlineSystem : ICollectionFixture<ShortPaymentDeadlineOrderSystem>;
