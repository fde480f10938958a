using System.Net;
using System.Text.Json;
using DaprEmulator.Hosting;
using OrderDapr.Chaos;

namespace OrderDapr.EndToEnd.Tests.Fixtures;

// The running system: one Dapr emulator, a sidecar per app, order-command and order-query as
// processes. Shared by every test of a collection; tests use fresh order and customer ids so
// that they do not see each other's data.
public class OrderSystem : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly List<ServiceProcess> commandReplicas = [];
    private readonly List<DaprSidecar> sidecars = [];
    private DaprEmulatorHost? emulator;
    private ServiceProcess? commandService;
    private ServiceProcess? queryService;
    private DaprSidecar? commandSidecar;

    public OrderApi Commands { get; private set; } = null!;

    public GraphQLApi GraphQL { get; private set; } = null!;

    public string CommandSidecarGrpcEndpoint => commandSidecar!.GrpcEndpoint;

    public DaprSidecar QuerySidecar { get; private set; } = null!;

    // Each app's sidecar requires DAPR_API_TOKEN of the app and sends APP_API_TOKEN to it, as
    // `run` and Kubernetes set them up.
    public IReadOnlyDictionary<string, (string DaprApiToken, string AppApiToken)> Tokens { get; } = new Dictionary<string, (string, string)>
    {
        ["order-command"] = (NewToken(), NewToken()),
        ["order-query"] = (NewToken(), NewToken()),
    };

    public Uri CommandBaseAddress => commandService!.BaseAddress;

    public Uri QueryBaseAddress => queryService!.BaseAddress;

    protected virtual IReadOnlyDictionary<string, string> CommandEnvironment => new Dictionary<string, string>();

    // Where the emulator keeps state and reminders: in memory unless a fixture says otherwise.
    protected virtual EmulatorStorage Storage => new EmulatorStorage.Memory();

    // The operator's token of order-query's /admin routes.
    public string AdminToken { get; } = NewToken();

    protected virtual IReadOnlyDictionary<string, string> QueryEnvironment => new Dictionary<string, string> { ["ADMIN_TOKEN"] = AdminToken };

    protected DaprEmulatorHost Emulator => emulator!;

    public async ValueTask InitializeAsync()
    {
        emulator = await DaprEmulatorHost.StartAsync(new EmulatorOptions
        {
            ResourcesPaths = [Path.Combine(Repository.Root, "components")],
            Storage = Storage,
        });

        commandSidecar = await StartSidecarAsync("order-command");
        var querySidecar = QuerySidecar = await StartSidecarAsync("order-query");

        // The order pages served by order-query place orders through order-command from the browser.
        var commandOrigin = $"http://127.0.0.1:{commandSidecar.AppPort}";
        var queryOrigin = $"http://127.0.0.1:{querySidecar.AppPort}";
        commandService = new ServiceProcess("OrderDapr.Command", commandSidecar.AppPort!.Value, commandSidecar.HttpPort, commandSidecar.GrpcPort,
            Environment("order-command", new Dictionary<string, string>(CommandEnvironment) { ["Cors__AllowedOrigins__0"] = queryOrigin }));
        queryService = new ServiceProcess("OrderDapr.Query", querySidecar.AppPort!.Value, querySidecar.HttpPort, querySidecar.GrpcPort,
            Environment("order-query", new Dictionary<string, string>(QueryEnvironment) { ["Frontend__CommandApiUrl"] = commandOrigin }));
        await Task.WhenAll(commandService.StartAsync(StartTimeout), queryService.StartAsync(StartTimeout));

        Commands = new OrderApi(new HttpClient { BaseAddress = commandService.BaseAddress, Timeout = TimeSpan.FromSeconds(60) });
        GraphQL = new GraphQLApi(new HttpClient { BaseAddress = queryService.BaseAddress, Timeout = TimeSpan.FromSeconds(30) });
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in commandReplicas.Append(commandService).Append(queryService).OfType<ServiceProcess>())
        {
            await process.DisposeAsync();
        }

        foreach (var sidecar in sidecars)
        {
            await sidecar.DisposeAsync();
        }

        if (emulator is not null)
        {
            await emulator.DisposeAsync();
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
            found = [.. PublishedOrderEvents()
                .Where(e => e.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object
                            && d.TryGetProperty("orderId", out var id) && id.GetString() == orderId)
                .DistinctBy(e => e.GetProperty("data").GetProperty("eventId").GetString())];
            return Task.FromResult(found.Count >= count);
        }, $"{count} published events of order {orderId}");
        return found;
    }

    // The distinct events of one order published on `orders` once the emulator is idle: nothing
    // published later can be missed.
    public async Task<IReadOnlyList<JsonElement>> PublishedOnceQuietAsync(string orderId)
    {
        await Emulator.WaitForIdleAsync(Eventually.DefaultTimeout);
        return [.. PublishedOrderEvents()
            .Where(e => e.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object
                        && d.TryGetProperty("orderId", out var id) && id.GetString() == orderId)
            .DistinctBy(e => e.GetProperty("data").GetProperty("eventId").GetString())];
    }

    // Runs a request that must change nothing, and checks that it stored and published nothing.
    public async Task<Answer> AssertChangesNothingAsync(Func<Task<Answer>> request)
    {
        Answer? answer = null;
        await AssertChangesNothingAsync(async () => { answer = await request(); });
        return answer!;
    }

    // Runs requests that must change nothing: neither the event store nor the read model, and
    // nothing published.
    public async Task AssertChangesNothingAsync(Func<Task> requests)
    {
        await Emulator.WaitForIdleAsync(Eventually.DefaultTimeout);
        var storedBefore = StoreSnapshot("eventstore");
        var projectedBefore = StoreSnapshot("readmodel");
        var publishedBefore = PublishedOrderEvents().Count;

        await requests();

        await Emulator.WaitForIdleAsync(Eventually.DefaultTimeout);
        Assert.Equal(storedBefore, StoreSnapshot("eventstore"));
        Assert.Equal(projectedBefore, StoreSnapshot("readmodel"));
        Assert.Equal(publishedBefore, PublishedOrderEvents().Count);
    }

    // Hands a published event to the broker once more, as an at-least-once broker may, and waits
    // until the subscriber has answered it.
    public async Task RedeliverAsync(JsonElement cloudEvent)
    {
        var id = cloudEvent.GetProperty("id").GetString();
        var message = Emulator.GetPublishedMessages("orderpubsub", "orders")
            .Single(m => JsonDocument.Parse(m.Data).RootElement.GetProperty("id").GetString() == id);
        await Emulator.RedeliverAsync(message);
        await Emulator.WaitForIdleAsync(Eventually.DefaultTimeout);
    }

    public async Task<bool> ReminderExistsAsync(string orderId, string reminder)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{commandSidecar!.HttpPort}") };
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
        var sidecar = await StartSidecarAsync("order-command");
        var replica = new ServiceProcess("OrderDapr.Command", sidecar.AppPort!.Value, sidecar.HttpPort, sidecar.GrpcPort, Environment("order-command", CommandEnvironment));
        commandReplicas.Add(replica);
        await replica.StartAsync(StartTimeout);
        await Eventually.Async(() => Task.FromResult(sidecar.IsAppReady), "the replica's sidecar to place its actors");
        return new OrderApi(new HttpClient { BaseAddress = replica.BaseAddress, Timeout = TimeSpan.FromSeconds(60) });
    }

    private List<JsonElement> PublishedOrderEvents() =>
        [.. Emulator.GetPublishedMessages("orderpubsub", "orders").Select(m => JsonDocument.Parse(m.Data).RootElement.Clone())];

    // Every key of a store with its ETag: any write changes an ETag.
    private string StoreSnapshot(string store) =>
        string.Join("\n", Emulator.GetStateKeys(store).Order(StringComparer.Ordinal)
            .Select(key => $"{key}={Emulator.ReadState(store, key)?.ETag}"));

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

    private async Task<DaprSidecar> StartSidecarAsync(string appId)
    {
        var sidecar = await Emulator.StartSidecarAsync(new SidecarOptions
        {
            AppId = appId,
            AppPort = FreePort.Next(),
            ApiToken = Tokens[appId].DaprApiToken,
            AppApiToken = Tokens[appId].AppApiToken,
        });
        sidecars.Add(sidecar);
        return sidecar;
    }
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
