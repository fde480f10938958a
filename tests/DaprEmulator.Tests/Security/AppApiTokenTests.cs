using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Dapr.Actors;
using Dapr.Actors.Client;
using Dapr.AspNetCore;
using Dapr.Client;
using DaprEmulator.Hosting;
using DaprEmulator.Tests.Actors;
using DaprEmulator.Tests.Support;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OrderDapr.Testing;

namespace DaprEmulator.Tests.Security;

// APP_API_TOKEN: daprd's app channel sets header dapr-api-token on every request to its app
// (pkg/channel/http/http_channel.go constructRequest: appHeaderToken), and the actor runtime calls
// the app through that channel. The app here refuses any call without it, as Dapr.AspNetCore's
// AddAuthentication().AddDapr() with the "Dapr" policy as fallback does.
public sealed class AppApiTokenTests
{
    private const string AppToken = "app-secret";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_call_to_the_app_carries_its_app_token()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var resources = new ResourcesFolder(
            Yaml.Component("actorstore", "state.in-memory", "v1", [("actorStateStore", "true")]), Yaml.Redis("bus"));
        await using var emulator = await DaprEmulatorHost.StartAsync(
            new EmulatorOptions { ResourcesPaths = [resources.Path], LoggerFactory = TestLogging.Create(), TimeProvider = time }, Ct);
        var sidecarPort = FreePort.Next();
        await using var app = await TokenCheckingApp.StartAsync($"http://127.0.0.1:{sidecarPort}");
        var sidecar = await emulator.StartSidecarAsync(new SidecarOptions { AppId = "shop", AppPort = app.Port, HttpPort = sidecarPort, AppApiToken = AppToken }, Ct);
        await Poll.UntilAsync(() => sidecar.IsAppReady, "the sidecar has read the app's subscriptions and actors");
        using var client = EmulatorWithApp.ClientFor(sidecar);

        await client.PublishEventAsync("bus", "orders", new { n = 1 }, Ct);
        await client.PublishEventAsync("bus", "bulk", new { n = 2 }, Ct);
        var actor = ActorProxy.Create<ITestActor>(new ActorId("a-1"), TestActor.TypeName, new ActorProxyOptions { HttpEndpoint = sidecar.HttpEndpoint });
        Assert.Equal("shop-1:a-1:hi", await actor.Echo("hi"));
        await actor.StartReminder("r", TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        await actor.StartTimer("t", TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        using var invoke = DaprClient.CreateInvokeHttpClient("shop", sidecar.HttpEndpoint);
        Assert.Equal("hello", await invoke.GetStringAsync("http://shop/hello", Ct));

        // The bulk batch waits on the fake clock, the reminder and timer are due in 1 s, the actor is idle after 1 min.
        await Eventually.UntilAdvancing(time, TimeSpan.FromSeconds(5), () => app.Recorder.Count("deactivate:a-1") == 1 && app.Saw("POST", "/bulk"), "every kind of call has reached the app");

        string[] kinds =
        [
            "GET /dapr/config", "GET /dapr/subscribe", "POST /orders", "POST /bulk", "PUT /actors/TestActor/a-1/method/Echo",
            "PUT /actors/TestActor/a-1/method/remind/r", "PUT /actors/TestActor/a-1/method/timer/t", "DELETE /actors/TestActor/a-1", "GET /hello",
        ];
        Assert.All(kinds, kind => Assert.Contains(kind, app.Calls.Select(c => $"{c.Method} {c.Path}")));
        Assert.All(app.Calls, call => Assert.Equal(AppToken, call.Token));
        Assert.Equal(["reminder:a-1:r:r", "timer:a-1:t"], app.Recorder.Events.Where(e => e.StartsWith("reminder", StringComparison.Ordinal) || e.StartsWith("timer", StringComparison.Ordinal)).Order());

        // The app does refuse a call without the token: the check above could have failed.
        using var forged = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync($"http://127.0.0.1:{app.Port}/hello", Ct)).StatusCode);
    }

    // An app with a subscription, a bulk subscription, TestActor and a plain route, every endpoint
    // behind Dapr's app token; it records each request it got with the token it carried.
    private sealed class TokenCheckingApp : IAsyncDisposable
    {
        private readonly WebApplication _web;
        private readonly ConcurrentQueue<(string Method, string Path, string? Token)> _calls = new();

        private TokenCheckingApp(WebApplication web, ActorRecorder recorder)
        {
            _web = web;
            Recorder = recorder;
        }

        public int Port { get; private set; }

        public ActorRecorder Recorder { get; }

        public IReadOnlyList<(string Method, string Path, string? Token)> Calls => [.. _calls];

        public bool Saw(string method, string path) => _calls.Any(c => c.Method == method && c.Path == path);

        public static async Task<TokenCheckingApp> StartAsync(string sidecarHttp)
        {
            var recorder = new ActorRecorder("shop-1");
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Services.AddSingleton(recorder);
            builder.Services.AddActors(o =>
            {
                o.Actors.RegisterActor<TestActor>();
                o.HttpEndpoint = sidecarHttp;
                o.ActorIdleTimeout = TimeSpan.FromMinutes(1);
            });
            builder.Services.AddAuthentication().AddDapr(o => o.Token = AppToken);
            builder.Services.AddAuthorization(o =>
            {
                o.AddDapr();
                o.FallbackPolicy = o.GetPolicy("Dapr");
            });
            var web = builder.Build();
            var app = new TokenCheckingApp(web, recorder);
            web.Use((http, next) =>
            {
                app._calls.Enqueue((http.Request.Method, http.Request.Path.Value ?? "", http.Request.Headers["dapr-api-token"].FirstOrDefault()));
                return next(http);
            });
            web.UseRouting();
            web.UseAuthentication();
            web.UseAuthorization();
            web.MapSubscribeHandler();
            web.MapPost("/orders", () => Results.Ok()).WithTopic("bus", "orders");
            web.MapPost("/bulk", async (HttpContext http) =>
            {
                var message = await JsonSerializer.DeserializeAsync<BulkSubscribeMessage<JsonElement>>(http.Request.Body, JsonSerializerOptions.Web);
                return Results.Ok(new BulkSubscribeAppResponse([.. message!.Entries.Select(e => new BulkSubscribeAppResponseEntry(e.EntryId, BulkSubscribeAppResponseStatus.SUCCESS))]));
            }).WithTopic("bus", "bulk").WithBulkSubscribe(new BulkSubscribeTopicOptions { TopicName = "bulk", MaxMessagesCount = 10, MaxAwaitDurationMs = 10 });
            web.MapGet("/hello", () => "hello");
            web.MapActorsHandlers();
            await web.StartAsync(Ct);
            app.Port = new Uri(web.Urls.First()).Port;
            return app;
        }

        public async ValueTask DisposeAsync()
        {
            await _web.StopAsync();
            await _web.DisposeAsync();
        }
    }
}
