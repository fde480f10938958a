using System.Collections.Concurrent;
using System.Diagnostics;
using Dapr.Actors;
using Dapr.Actors.Client;
using Dapr.Actors.Runtime;
using DaprEmulator.Actors;
using DaprEmulator.Faults;
using DaprEmulator.Scheduler;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace DaprEmulator.Tests.Actors;

internal sealed record ActorApp(string AppId, Uri Url, ActorRecorder Recorder, WebApplication Web);

// One emulator actor runtime on a FakeTimeProvider, sidecars that map its actor API, and apps
// hosting TestActor with the real Dapr.Actors.AspNetCore, all on loopback ports.
internal sealed class ActorTestbed : IAsyncDisposable
{
    private readonly List<WebApplication> webs = [];
    private readonly ConcurrentQueue<string> logs = new();

    public ActorTestbed(FakeTimeProvider? time = null, InMemoryActorStateStorage? storage = null, ReminderScheduler? scheduler = null, FaultPlan? faults = null)
    {
        Time = time ?? new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Storage = storage ?? new InMemoryActorStateStorage();
        Scheduler = scheduler ?? new ReminderScheduler();
        var loggers = LoggerFactory.Create(b => b.AddProvider(new RecordingLoggerProvider(logs)));
        Faults = faults is null ? null : new FaultInjector(faults, Time, loggers.CreateLogger("faults"));
        Runtime = new DaprEmulator.Actors.ActorRuntime(Time, loggers, Scheduler, Faults);
    }

    public FaultInjector? Faults { get; }

    public FakeTimeProvider Time { get; }

    public InMemoryActorStateStorage Storage { get; }

    public ReminderScheduler Scheduler { get; }

    public DaprEmulator.Actors.ActorRuntime Runtime { get; }

    public IReadOnlyList<string> Logs => [.. logs];

    public async Task<Uri> StartSidecarAsync(string appId)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var web = builder.Build();
        web.MapActorsApi(Runtime, appId);
        return await StartAsync(web);
    }

    public async Task<ActorApp> StartAppAsync(
        string appId,
        Uri sidecar,
        string hostName,
        Action<ActorRuntimeOptions>? configure = null,
        bool withStateStore = true)
    {
        var recorder = new ActorRecorder(hostName);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(recorder);
        builder.Services.AddActors(options =>
        {
            options.Actors.RegisterActor<TestActor>();
            options.HttpEndpoint = sidecar.AbsoluteUri.TrimEnd('/');
            configure?.Invoke(options);
        });
        var web = builder.Build();
        web.MapActorsHandlers();
        var url = await StartAsync(web);
        await Runtime.RegisterHostAsync(appId, url, withStateStore ? Storage : null, TestContext.Current.CancellationToken);
        return new ActorApp(appId, url, recorder, web);
    }

    // Before a test says that something did not happen: the runtime has dispatched all that is
    // due at the current fake time and finished the callbacks it started.
    public Task SettledAsync() => Eventually.Until(() => Runtime.IsSettled, "the actor runtime has settled");

    public async Task AdvanceAndSettleAsync(TimeSpan by)
    {
        Time.Advance(by);
        await SettledAsync();
    }

    public static ITestActor Proxy(string actorId, Uri sidecar) =>
        ActorProxy.Create<ITestActor>(new ActorId(actorId), TestActor.TypeName, new ActorProxyOptions { HttpEndpoint = sidecar.AbsoluteUri.TrimEnd('/') });

    public async ValueTask DisposeAsync()
    {
        await Runtime.DisposeAsync();
        foreach (var web in webs)
        {
            await web.DisposeAsync();
        }
    }

    private async Task<Uri> StartAsync(WebApplication web)
    {
        await web.StartAsync(TestContext.Current.CancellationToken);
        webs.Add(web);
        var address = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address);
    }

    private sealed class RecordingLoggerProvider(ConcurrentQueue<string> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new RecordingLogger(logs);

        public void Dispose()
        {
        }
    }

    private sealed class RecordingLogger(ConcurrentQueue<string> logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{logLevel}: {formatter(state, exception)}";
            logs.Enqueue(line);
            TestContext.Current.TestOutputHelper?.WriteLine(line);
        }
    }
}

// Bounded polling: the emulator and the apps work on their own threads.
internal static class Eventually
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    public static async Task Until(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Patience)
            {
                Assert.Fail($"Timed out waiting until {what}");
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    // Moves fake time on by step, a little at a time, until the condition holds.
    public static async Task UntilAdvancing(FakeTimeProvider time, TimeSpan step, Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Patience)
            {
                Assert.Fail($"Timed out waiting (advancing time) until {what}");
            }

            time.Advance(step);
            for (var i = 0; i < 10 && !condition(); i++)
            {
                await Task.Delay(10, TestContext.Current.CancellationToken);
            }
        }
    }
}
