using System.Net;
using Dapr.Actors;
using Dapr.Actors.Client;
using Dapr.Client;
using DaprEmulator.Hosting;
using DaprEmulator.Tests.Actors;
using DaprEmulator.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OrderDapr.Testing;

namespace DaprEmulator.Tests.Storage;

// EmulatorStorage.Sqlite: what one emulator stored, a new emulator on the same file finds again —
// state (with its ETags), actor state, and reminders, which go on from where they were.
public sealed class RestartTests : IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    private readonly SqliteBackend _backend = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ResourcesFolder _resources = new(
        Yaml.PostgresV2("eventstore"),
        Yaml.PostgresV2("actorstore", ("actorStateStore", "true")),
        Yaml.Component("ledger", "state.postgresql", "v1", [("connectionString", "host=localhost")]),
        Yaml.Component("bus", "pubsub.in-memory", "v1"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task State_and_reminders_written_before_a_restart_are_read_back_after_it_and_the_reminder_fires()
    {
        string etag;
        await using (var before = await ActorWorld.StartAsync(_resources, _backend.Storage, _time))
        {
            await before.Client.SaveStateAsync("eventstore", "order-1", new { Total = 5 }, cancellationToken: Ct);
            await before.Client.SaveByteStateAsync("eventstore", "binary", new byte[] { 0xff, 0x00, 0xfe }, cancellationToken: Ct);
            (_, etag) = await before.Client.GetStateAndETagAsync<Dictionary<string, int>>("eventstore", "order-1", cancellationToken: Ct);
            var actor = before.Actor("a-1");
            await actor.SetValue("hello");
            await actor.StartReminder("deadline", TimeSpan.FromSeconds(30), Timeout.InfiniteTimeSpan);
        }

        await using var after = await ActorWorld.StartAsync(_resources, _backend.Storage, _time);

        var (order, sameEtag) = await after.Client.GetStateAndETagAsync<Dictionary<string, int>>("eventstore", "order-1", cancellationToken: Ct);
        Assert.Equal((5, etag), (order["total"], sameEtag));
        Assert.Equal(new byte[] { 0xff, 0x00, 0xfe }, (await after.Client.GetByteStateAsync("eventstore", "binary", cancellationToken: Ct)).ToArray());
        Assert.Equal("hello", await after.Actor("a-1").GetValue());
        Assert.Equal(HttpStatusCode.OK, await after.ReminderStatusAsync("a-1", "deadline"));

        _time.Advance(TimeSpan.FromSeconds(30) - Tick);
        await after.SettledAsync();
        Assert.Equal(0, after.Recorder.Count("reminder:a-1:deadline:deadline"));
        _time.Advance(Tick);
        await Eventually.Until(() => after.Recorder.Count("reminder:a-1:deadline:deadline") == 1, "the reminder fired after the restart");
        await after.SettledAsync();
        Assert.Equal(HttpStatusCode.NotFound, await after.ReminderStatusAsync("a-1", "deadline"));
    }

    [Fact]
    public async Task A_periodic_reminder_goes_on_after_a_restart_from_the_tick_it_had_reached()
    {
        await using (var before = await ActorWorld.StartAsync(_resources, _backend.Storage, _time))
        {
            await before.Actor("p-1").StartReminder("tick", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
            _time.Advance(TimeSpan.FromSeconds(1));
            await Eventually.Until(() => before.Recorder.Count("reminder:p-1:tick:tick") == 1, "the first tick");
            await before.SettledAsync();
        }

        await using var after = await ActorWorld.StartAsync(_resources, _backend.Storage, _time);

        // The second tick is due at 0:00:11, ten seconds after the first; the first does not come again.
        _time.Advance(TimeSpan.FromSeconds(10) - Tick);
        await after.SettledAsync();
        Assert.Equal(0, after.Recorder.Count("reminder:p-1:tick:tick"));
        _time.Advance(Tick);
        await Eventually.Until(() => after.Recorder.Count("reminder:p-1:tick:tick") == 1, "the second tick, after the restart");
    }

    [Fact]
    public async Task A_v1_etag_that_went_stale_before_a_restart_matches_no_write_after_it()
    {
        // v1 ETags are transaction ids: after a restart they must go on from the highest one stored.
        string stale;
        await using (var before = await ActorWorld.StartAsync(_resources, _backend.Storage, _time))
        {
            await before.Client.SaveStateAsync("ledger", "k", "first", cancellationToken: Ct);
            (_, stale) = await before.Client.GetStateAndETagAsync<string>("ledger", "k", cancellationToken: Ct);
            await before.Client.SaveStateAsync("ledger", "k", "second", cancellationToken: Ct);
        }

        await using var after = await ActorWorld.StartAsync(_resources, _backend.Storage, _time);
        await after.Client.SaveStateAsync("ledger", "k", "third", cancellationToken: Ct);

        Assert.False(await after.Client.TrySaveStateAsync("ledger", "k", "stale", stale, cancellationToken: Ct));
        Assert.Equal("third", await after.Client.GetStateAsync<string>("ledger", "k", cancellationToken: Ct));
    }

    public void Dispose()
    {
        _resources.Dispose();
        _backend.Dispose();
    }

    // One emulator on the storage, a sidecar "shop", and an app hosting TestActor with the real
    // Dapr.Actors.AspNetCore.
    private sealed class ActorWorld : IAsyncDisposable
    {
        private readonly DaprEmulatorHost _emulator;
        private readonly WebApplication _app;
        private readonly DaprSidecar _sidecar;

        private ActorWorld(DaprEmulatorHost emulator, WebApplication app, DaprSidecar sidecar, ActorRecorder recorder)
        {
            _emulator = emulator;
            _app = app;
            _sidecar = sidecar;
            Recorder = recorder;
            Client = EmulatorWithApp.ClientFor(sidecar);
        }

        public DaprClient Client { get; }

        public ActorRecorder Recorder { get; }

        public static async Task<ActorWorld> StartAsync(ResourcesFolder resources, EmulatorStorage storage, TimeProvider time)
        {
            var emulator = await DaprEmulatorHost.StartAsync(
                new EmulatorOptions { ResourcesPaths = [resources.Path], LoggerFactory = TestLogging.Create(), TimeProvider = time, Storage = storage }, Ct);
            var sidecarPort = FreePort.Next();
            var recorder = new ActorRecorder("shop-1");
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Services.AddSingleton(recorder);
            builder.Services.AddActors(o =>
            {
                o.Actors.RegisterActor<TestActor>();
                o.HttpEndpoint = $"http://127.0.0.1:{sidecarPort}";
            });
            var app = builder.Build();
            app.MapActorsHandlers();
            await app.StartAsync(Ct);
            var sidecar = await emulator.StartSidecarAsync(
                new SidecarOptions { AppId = "shop", AppPort = new Uri(app.Urls.First()).Port, HttpPort = sidecarPort }, Ct);
            await Poll.UntilAsync(() => sidecar.IsAppReady, "the sidecar has read the app's actor types");
            return new ActorWorld(emulator, app, sidecar, recorder);
        }

        public ITestActor Actor(string id) =>
            ActorProxy.Create<ITestActor>(new ActorId(id), TestActor.TypeName, new ActorProxyOptions { HttpEndpoint = _sidecar.HttpEndpoint });

        public async Task<HttpStatusCode> ReminderStatusAsync(string actorId, string name)
        {
            using var http = new HttpClient { BaseAddress = new Uri(_sidecar.HttpEndpoint) };
            using var response = await http.GetAsync($"/v1.0/actors/{TestActor.TypeName}/{actorId}/reminders/{name}", Ct);
            return response.StatusCode;
        }

        // Everything due at the current fake time was dispatched and its callbacks finished.
        public Task SettledAsync() => Eventually.Until(() => _emulator.Actors.IsSettled, "the actor runtime has settled");

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await _emulator.DisposeAsync();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
