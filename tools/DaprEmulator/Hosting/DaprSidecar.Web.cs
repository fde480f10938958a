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
        builder.Services.AddSingleton(new DaprGrpcService(_context, this));

        var web = builder.Build();
        web.Use(CleanPath);
        web.Use(new ApiTokenCheck(_options.ApiToken).InvokeAsync);
        web.UseRouting();
        web.MapGrpcService<DaprGrpcService>();
        HealthEndpoints.Map(web, AppId, () => _appReady || AppPort is null);
        MetadataEndpoints.Map(web, this);
        PublishEndpoints.Map(web, new PublishApi(_context));
        StateEndpoints.Map(web, new StateApi(_context));
        web.MapActorsApi(_actors, AppId);
        InvokeEndpoints.Map(web, this, _environment.ResolveAppId, _environment.Namespace);
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
}
