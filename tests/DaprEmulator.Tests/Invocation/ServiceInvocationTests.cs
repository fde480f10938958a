using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Dapr.Client;
using DaprEmulator.Hosting;
using DaprEmulator.Tests.Support;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DaprEmulator.Tests.Invocation;

// Service invocation over HTTP through DaprClient.CreateInvokeHttpClient, as daprd does it:
// pkg/api/http/directmessaging.go onDirectMessage (ERR_DIRECT_INVOKE "failed to invoke, id: %s,
// err: %v", 500), pkg/messaging/direct_messaging.go (invokeLocal for the caller's own id, else a
// resolved replica over the internal gRPC call, whose CallLocal wraps a channel error as
// "error invoking app channel: %s"), pkg/channel/http/http_channel.go (the app gets verb, method,
// query, headers less hop-by-hop ones, body, and the callee's APP_API_TOKEN).
public sealed class ServiceInvocationTests : IAsyncLifetime
{
    private ResourcesFolder _resources = null!;
    private DaprEmulatorHost _emulator = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _resources = new ResourcesFolder(Yaml.Component("store", "state.in-memory", "v1"));
        _emulator = await DaprEmulatorHost.StartAsync(new EmulatorOptions { ResourcesPaths = [_resources.Path], LoggerFactory = TestLogging.Create() }, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _resources.Dispose();
    }

    [Fact]
    public async Task A_call_reaches_the_target_app_and_its_answer_comes_back_as_is()
    {
        await using var target = await EchoApp.StartAsync("query-1");
        await StartSidecarAsync(new SidecarOptions { AppId = "order-query", AppPort = target.Port, AppApiToken = "query-app-token" });
        var caller = await StartSidecarAsync(new SidecarOptions { AppId = "order-command", ApiToken = "command-api-token" });
        using var http = DaprClient.CreateInvokeHttpClient("order-query", caller.HttpEndpoint, "command-api-token");

        using var request = new HttpRequestMessage(HttpMethod.Patch, "http://order-query/orders/o-1/notes?verbose=true")
        {
            Content = new StringContent("""{"note":"hi"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Custom", "custom");
        request.Headers.Add("Keep-Alive", "timeout=5");
        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("yes", response.Headers.GetValues("X-Answered").Single());
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("query-1 got PATCH /orders/o-1/notes?verbose=true {\"note\":\"hi\"}", await response.Content.ReadAsStringAsync(Ct));
        var call = Assert.Single(target.Calls);
        Assert.Equal("query-app-token", call.Headers["dapr-api-token"]);
        Assert.Equal("custom", call.Headers["X-Custom"]);
        Assert.Equal("application/json; charset=utf-8", call.Headers["Content-Type"]);
        Assert.Equal(("order-command", "order-query"), (call.Headers["dapr-caller-app-id"], call.Headers["dapr-callee-app-id"]));
        Assert.False(call.Headers.ContainsKey("Keep-Alive"));
    }

    [Fact]
    public async Task The_callers_api_token_is_checked_and_not_passed_on()
    {
        await using var target = await EchoApp.StartAsync("query-1");
        await StartSidecarAsync(new SidecarOptions { AppId = "order-query", AppPort = target.Port });
        var caller = await StartSidecarAsync(new SidecarOptions { AppId = "order-command", ApiToken = "command-api-token" });
        using var forger = DaprClient.CreateInvokeHttpClient("order-query", caller.HttpEndpoint, "forged");
        using var authorized = DaprClient.CreateInvokeHttpClient("order-query", caller.HttpEndpoint, "command-api-token");

        var refused = await forger.GetAsync("http://order-query/hello", Ct);
        var answered = await authorized.GetAsync("http://order-query/hello", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, answered.StatusCode);
        Assert.False(Assert.Single(target.Calls).Headers.ContainsKey("dapr-api-token"));
    }

    [Fact]
    public async Task Calls_to_an_app_id_go_round_robin_over_its_replicas()
    {
        await using var first = await EchoApp.StartAsync("query-1");
        await using var second = await EchoApp.StartAsync("query-2");
        await StartSidecarAsync(new SidecarOptions { AppId = "order-query", AppPort = first.Port });
        await StartSidecarAsync(new SidecarOptions { AppId = "order-query", AppPort = second.Port });
        var caller = await StartSidecarAsync(new SidecarOptions { AppId = "order-command" });
        using var http = DaprClient.CreateInvokeHttpClient("order-query", caller.HttpEndpoint);

        var answers = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add((await http.GetStringAsync("http://order-query/x", Ct)).Split(' ')[0]);
        }

        Assert.Equal(2, answers.Count(a => a == "query-1"));
        Assert.Equal(2, answers.Count(a => a == "query-2"));
        Assert.NotEqual(answers[0], answers[1]);
    }

    [Fact]
    public async Task An_unknown_app_id_is_err_direct_invoke()
    {
        var caller = await StartSidecarAsync(new SidecarOptions { AppId = "order-command" });
        using var http = DaprClient.CreateInvokeHttpClient("nobody", caller.HttpEndpoint);

        var response = await http.GetAsync("http://nobody/hello", Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("ERR_DIRECT_INVOKE", body["errorCode"]!.GetValue<string>());
        Assert.Equal("failed to invoke, id: nobody, err: couldn't find service: nobody", body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_app_that_does_not_listen_is_err_direct_invoke_with_the_channel_error()
    {
        var port = UnusedPort();
        await StartSidecarAsync(new SidecarOptions { AppId = "order-query", AppPort = port });
        var caller = await StartSidecarAsync(new SidecarOptions { AppId = "order-command" });
        using var http = DaprClient.CreateInvokeHttpClient("order-query", caller.HttpEndpoint);

        var response = await http.PostAsync("http://order-query/hello", new StringContent("x"), Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("ERR_DIRECT_INVOKE", body["errorCode"]!.GetValue<string>());
        Assert.Equal(
            $"failed to invoke, id: order-query, err: rpc error: code = Internal desc = error invoking app channel: Post \"http://127.0.0.1:{port}/hello\": dial tcp 127.0.0.1:{port}: connect: connection refused",
            body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_grpc_invoke_service_stays_unimplemented()
    {
        var caller = await StartSidecarAsync(new SidecarOptions { AppId = "order-command" });
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(caller.GrpcEndpoint);
        var client = new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.InvokeServiceAsync(
            new Dapr.Client.Autogen.Grpc.v1.InvokeServiceRequest { Id = "order-query", Message = new Dapr.Client.Autogen.Grpc.v1.InvokeRequest { Method = "hello" } },
            cancellationToken: Ct));

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    private Task<DaprSidecar> StartSidecarAsync(SidecarOptions options) => _emulator.StartSidecarAsync(options, Ct);

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // Answers every request 202 with "<name> got <verb> <path+query> <body>" and an X-Answered header.
    private sealed class EchoApp : IAsyncDisposable
    {
        private readonly WebApplication _web;
        private readonly ConcurrentQueue<(string Method, IReadOnlyDictionary<string, string> Headers)> _calls = new();

        private EchoApp(WebApplication web) => _web = web;

        public int Port { get; private set; }

        public IReadOnlyList<(string Method, IReadOnlyDictionary<string, string> Headers)> Calls => [.. _calls];

        public static async Task<EchoApp> StartAsync(string name)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var web = builder.Build();
            var app = new EchoApp(web);
            web.Run(async http =>
            {
                if (http.Request.Path.StartsWithSegments("/dapr", StringComparison.Ordinal))
                {
                    http.Response.StatusCode = 404;
                    return;
                }

                app._calls.Enqueue((http.Request.Method, http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
                using var reader = new StreamReader(http.Request.Body);
                var body = await reader.ReadToEndAsync();
                http.Response.StatusCode = StatusCodes.Status202Accepted;
                http.Response.Headers["X-Answered"] = "yes";
                http.Response.ContentType = "text/plain; charset=utf-8";
                await http.Response.WriteAsync($"{name} got {http.Request.Method} {http.Request.Path}{http.Request.QueryString} {body}");
            });
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
