using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OrderDapr.Command.Tests.Hosting;

// daprd sends the app API token on every call it makes to its app, actor calls and GET /dapr/config
// included (pkg/channel/http/http_channel.go, constructRequest). The emulator's actor runtime calls
// the app without it (only its subscription channel sends AppApiToken), so the tests give the
// sidecar this forwarder as the app port: it passes every call on to the app with the token added.
public sealed class AppChannelForwarder : IAsyncDisposable
{
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "dapr-api-token",
    };

    private readonly WebApplication web;
    private readonly HttpClient app;
    private readonly string token;

    private AppChannelForwarder(WebApplication web, HttpClient app, string token)
    {
        this.web = web;
        this.app = app;
        this.token = token;
    }

    public static async Task<AppChannelForwarder> StartAsync(int port, Uri appAddress, string token)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var web = builder.Build();
        var forwarder = new AppChannelForwarder(web, new HttpClient { BaseAddress = appAddress, Timeout = Timeout.InfiniteTimeSpan }, token);
        web.Run(forwarder.ForwardAsync);
        await web.StartAsync();
        return forwarder;
    }

    private async Task ForwardAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), context.Request.Path + context.Request.QueryString)
        {
            Content = new ByteArrayContent(body.ToArray()),
        };
        foreach (var (name, values) in context.Request.Headers.Where(h => !NotForwarded.Contains(h.Key)))
        {
            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        request.Headers.TryAddWithoutValidation("dapr-api-token", token);
        using var response = await app.SendAsync(request, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers).Where(h => !NotForwarded.Contains(h.Key)))
        {
            context.Response.Headers[name] = values.ToArray();
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await web.StopAsync();
        await web.DisposeAsync();
        app.Dispose();
    }
}
