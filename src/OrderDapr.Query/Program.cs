using OrderDapr.Query.GraphQL;
using OrderDapr.Query.Projections;
using OrderDapr.Query.ReadModel;

// Content root = the binaries, so appsettings.json is found whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

// `dapr run` and the emulator pass the port the sidecar calls as APP_PORT; an explicit
// ASPNETCORE_URLS / --urls still wins.
if (builder.Configuration["APP_PORT"] is { Length: > 0 } appPort && string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls($"http://0.0.0.0:{int.Parse(appPort, System.Globalization.CultureInfo.InvariantCulture)}");
}

// Reads DAPR_GRPC_ENDPOINT / DAPR_GRPC_PORT lazily: nothing calls the sidecar before a request.
builder.Services.AddDaprClient();
builder.Services.AddSingleton<IReadModelStore, DaprReadModelStore>();
builder.Services.AddSingleton<OrderProjector>();
builder.Services.AddSingleton<OrderQueries>();
builder.Services.AddOrderGraphQL();

var app = builder.Build();

app.MapSubscribeHandler();
app.MapOrderEventSubscription();
app.MapGraphQL();
app.MapGet("/healthz", () => TypedResults.Ok());

app.Run();
