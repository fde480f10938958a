using OrderDapr.Command.Actors;
using OrderDapr.Command.EventStore;
using OrderDapr.Command.Http;

var builder = WebApplication.CreateBuilder(args);

// Under `dapr run` / the emulator the app is told its port through APP_PORT.
if (builder.Configuration["APP_PORT"] is { Length: > 0 } appPort && string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls($"http://0.0.0.0:{appPort}");
}

builder.Services.AddProblemDetails();
builder.Services.AddDaprClient();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<OrderStreamStore>();
builder.Services.Configure<OrderOptions>(builder.Configuration.GetSection("Orders"));
builder.Services.AddActors(options =>
{
    options.Actors.RegisterActor<OrderActor>();

    // An order actor keeps nothing in memory between calls: deactivate it soon rather than after
    // Dapr's default hour, so that the actors of a busy hour do not all stay in memory (the sidecar
    // reads this from GET /dapr/config and deactivates them).
    options.ActorIdleTimeout = builder.Configuration.GetValue("Actors:IdleTimeout", TimeSpan.FromSeconds(10));
});

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapGet("/healthz", () => TypedResults.Ok("healthy"));
app.MapActorsHandlers();
app.MapOrderCommands();
app.MapOrderStreams();

app.Run();
