using System.Net;
using DaprEmulator.Actors;
using DaprEmulator.Api;
using DaprEmulator.GrpcApi;
using DaprEmulator.HttpApi;
using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DaprEmulator.Hosting;

// The sidecar's Kestrel host: HTTP/1.1 for the Dapr HTTP API, h2c for the gRPC API.
public sealed partial class DaprSidecar
{
    private async Task StartWebAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(DaprSidecar).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Production",
        });
        builder.Services.Replace(ServiceDescriptor.Singleton(_loggers));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, _options.HttpPort, l => l.Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, _options.GrpcPort, l => l.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddRouting();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<IServiceMethodProvider<DaprGrpcService>, DaprGrpcMethods>();
        builder.Services.AddSingleton(new DaprGrpcService(_context, this, _options.ApiToken));

        var web = builder.Build();
        web.Use(CleanPath);
        web.Use(RequireApiToken);
        web.UseRouting();
        web.MapGrpcService<DaprGrpcService>();
        HealthEndpoints.Map(web, AppId, () => _appReady || AppPort is null);
        MetadataEndpoints.Map(web, this);
        PublishEndpoints.Map(web, new PublishApi(_context));
        StateEndpoints.Map(web, new StateApi(_context));
        web.MapActorsApi(_actors, AppId);
        FallbackEndpoints.Map(web);

        await web.StartAsync(ct);
        _web = web;
        var ports = web.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a).Port).ToList();
        HttpPort = ports[0];
        GrpcPort = ports[1];
        _log.LogInformation("HTTP API listening on {Http}, gRPC API on {Grpc}", HttpEndpoint, GrpcEndpoint);
    }

    // CleanPathMiddleware + StripSlashesMiddleware (pkg/api/http/server.go): daprd routes on a
    // cleaned path, and Dapr.Actors does call "//v1.0/actors/...".
    private static Task CleanPath(HttpContext http, Func<Task> next)
    {
        var path = http.Request.Path.Value ?? "";
        if (path.Contains("//", StringComparison.Ordinal) || (path.Length > 1 && path.EndsWith('/')))
        {
            var cleaned = "/" + string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries));
            http.Request.Path = new PathString(cleaned);
        }

        return next();
    }

    // APITokenAuthMiddleware: 401 "invalid api token" on the HTTP API, the health checks excepted.
    private async Task RequireApiToken(HttpContext http, Func<Task> next)
    {
        var isGrpc = http.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true;
        var path = http.Request.Path.Value?.Trim('/') ?? "";
        if (_options.ApiToken is { } token && !isGrpc && !(HttpMethods.IsGet(http.Request.Method) && path is "v1.0/healthz" or "v1.0/healthz/outbound") &&
            http.Request.Headers["dapr-api-token"].ToString() != token)
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync("invalid api token\n");
            return;
        }

        await next();
    }
}
