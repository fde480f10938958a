using OrderDapr.Command.Actors;
using OrderDapr.Command.EventStore;
using OrderDapr.Command.Http;
using OrderDapr.Command.StreamIndex;
using OrderDapr.Command.Telemetry;
using OrderDapr.Contracts;
using OrderDapr.Observability.Health;
using OrderDapr.Observability.Telemetry;

namespace OrderDapr.Command;

// order-command as one host: Program runs it, the tests start it in-process on loopback.
// configure runs after the service's own registrations, so a test can add configuration or
// replace a service.
public static class OrderCommandApp
{
    // What order-command cannot work without: its event streams (with their outbox) and the pub/sub
    // it publishes on. The actor state store is daprd's business: its actor runtime reports it.
    public static readonly IReadOnlyList<string> RequiredComponents = [Messaging.EventStore, Messaging.PubSub];

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);

        // Under `dapr run` / the emulator the app is told its port through APP_PORT.
        if (builder.Configuration["APP_PORT"] is { Length: > 0 } appPort && string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls($"http://0.0.0.0:{appPort}");
        }

        builder.AddServiceTelemetry(CommandTelemetry.Service);
        builder.Services.AddReadiness();
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = Problems.AddCodeToUnhandled);
        builder.Services.AddApiDocument();
        builder.Services.AddBrowserOrigins();
        builder.Services.AddSidecarOnlyAuthorization(builder.Configuration);
        builder.Services.AddDaprClient();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OrderStreamStore>();
        builder.Services.AddSingleton<IStreamIndexStore, DaprStreamIndexStore>();
        builder.Services.AddSingleton<StreamIndexWriter>();
        builder.Services.AddSingleton<StreamPageReader>();
        builder.Services.Configure<OrderOptions>(builder.Configuration.GetSection("Orders"));
        builder.Services.AddActors(options =>
        {
            options.Actors.RegisterActor<OrderActor>();

            // An order actor keeps nothing in memory between calls: deactivate it soon rather than after
            // Dapr's default hour, so that the actors of a busy hour do not all stay in memory (the sidecar
            // reads this from GET /dapr/config and deactivates them).
            options.ActorIdleTimeout = builder.Configuration.GetValue("Actors:IdleTimeout", TimeSpan.FromSeconds(10));
        });

        configure?.Invoke(builder);
        var app = builder.Build();

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCors();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapGet("/healthz", () => TypedResults.Ok("healthy")).ExcludeFromDescription();
        app.MapProbes(RequiredComponents);
        app.MapMetrics();
        app.MapActorsHandlers().RequireSidecar();
        app.MapOrderCommands();
        app.MapOrderStreams();
        app.MapStreamPages().RequireSidecar();

        app.MapApiDocument();
        SidecarOnly.WarnIfClosed(app);
        return app;
    }
}
