using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrderDapr.Contracts;
using OrderDapr.Query.Changes;
using OrderDapr.Query.ReadModel;
using OrderDapr.Query.Rebuild;
using OrderDapr.Query.Subscriptions;

namespace OrderDapr.Query.Tests.Fixtures;

// order-query as Program composes it, on a loopback port, over an in-memory read model, a fake
// stream source and a clock the test moves. Its change feed goes through `feed`: to this replica
// alone unless the test shares one feed (and one store) between replicas.
public sealed class QueryHost : IAsyncDisposable
{
    public const string AppToken = "app-token-for-tests";
    public const string AdminToken = "admin-token-for-tests";

    private readonly WebApplication app;

    private QueryHost(WebApplication app, InMemoryReadModelStore store, CapturedLogs logs, TestClock time, RecordingBroker broker)
    {
        this.app = app;
        Store = store;
        Logs = logs;
        Time = time;
        Broker = broker;
        Http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
    }

    public InMemoryReadModelStore Store { get; }

    // What this replica published on the change feed.
    public RecordingBroker Broker { get; }

    public OrderChangeHub Hub => Services.GetRequiredService<OrderChangeHub>();

    public CapturedLogs Logs { get; }

    public TestClock Time { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => app.Services;

    // `settings` add to (or override) the configuration, e.g. ["Subscriptions:Token"] = "...".
    public static async Task<QueryHost> StartAsync(
        string appToken = AppToken,
        string adminToken = AdminToken,
        IStreamSource? streams = null,
        IReadOnlyDictionary<string, string?>? settings = null,
        InMemoryReadModelStore? store = null,
        ChangeFeedSidecars? feed = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        var configuration = new Dictionary<string, string?>
        {
            ["APP_API_TOKEN"] = appToken,
            ["ADMIN_TOKEN"] = adminToken,
            ["Logging:LogLevel:Default"] = "Debug",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddOrderQuery();

        store ??= new InMemoryReadModelStore();
        feed ??= new ChangeFeedSidecars();
        var broker = new RecordingBroker(feed.DeliverAsync);
        var logs = new CapturedLogs();
        var time = new TestClock(Given.T0);
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton<IReadModelStore>(store);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton(streams ?? new FakeStreamSource([]));
        builder.Services.AddSingleton<IChangeFeedBroker>(broker);

        var app = builder.Build();
        app.MapOrderQuery();
        await app.StartAsync(TestContext.Current.CancellationToken);
        var host = new QueryHost(app, store, logs, time, broker);
        feed.Add(host);
        return host;
    }

    public Uri WebSocketAddress => new($"ws://{Address.Authority}/graphql");

    public Uri Address => Http.BaseAddress!;

    // Polled for, with a generous bound: log lines are written while a request ends, after its answer.
    public async Task<LogEntry> LoggedAsync(Func<LogEntry, bool> match, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (Logs.Entries.FirstOrDefault(match) is { } entry)
            {
                return entry;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Not logged within 30 s: {what}");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    // Delivers the events to the projection as the sidecar does (one bulk delivery of topic
    // `orders`, with the app token) and checks that every entry was projected.
    public async Task ProjectAsync(params EventEnvelope[] events)
    {
        using var request = Request(HttpMethod.Post, SubscriptionEndpoints.ProjectRoute, appToken: AppToken,
            content: new StringContent(Deliveries.Bulk([.. events.Select(Deliveries.CloudEvent)]), Encoding.UTF8, "application/json"));
        using var response = await Http.SendAsync(request, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var statuses = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("statuses");
        Assert.All(statuses.EnumerateArray(), s => Assert.Equal("SUCCESS", s.GetProperty("status").GetString()));
    }

    // POST /graphql as a frontend sends it; the status and the response body.
    public async Task<(HttpStatusCode Status, JsonElement Body)> GraphQLAsync(string query, object? variables = null, CancellationToken? cancellationToken = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = JsonContent.Create(new { query, variables }) };
        request.Headers.Accept.ParseAdd("application/graphql-response+json");
        using var response = await Http.SendAsync(request, cancellationToken ?? TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken ?? TestContext.Current.CancellationToken));
    }

    // Waits (bounded) until the hub has `count` watchers: subscriptions listening, reads waiting for a version.
    public async Task WatchingAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Hub.Watching != count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The hub has {Hub.Watching} watchers, not {count}, after 30 s");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    public HttpRequestMessage Request(HttpMethod method, string path, string? appToken = null, string? adminToken = null, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (appToken is not null)
        {
            request.Headers.Add("dapr-api-token", appToken);
        }

        if (adminToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        }

        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await app.StopAsync(TestContext.Current.CancellationToken);
        await app.DisposeAsync();
    }
}
