using OrderDapr.Query;

// Content root = the binaries, so appsettings.json is found whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

// `dapr run` and the emulator pass the port the sidecar calls as APP_PORT; an explicit
// ASPNETCORE_URLS / --urls still wins.
if (builder.Configuration["APP_PORT"] is { Length: > 0 } appPort && string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls($"http://0.0.0.0:{int.Parse(appPort, System.Globalization.CultureInfo.InvariantCulture)}");
}

var app = builder.AddOrderQuery().Build();
app.MapOrderQuery().Run();
