using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OrderDapr.EndToEnd.Tests.Fixtures.Probe;

// A subscriber of the tests' own: a small app in the test process with a sidecar of its own (app id
// e2e-probe, so a consumer group of its own) that subscribes to one topic and keeps every
// CloudEvent its sidecar delivers. What reached the broker is what it saw, on either runtime.
public sealed class ProbeSubscriber : IAsyncDisposable
{
    public const string AppId = "e2e-probe";
    private const string Route = "/deliveries";

    private readonly List<JsonElement> delivered = [];
    private readonly WebApplication app;
    private readonly string pubsub;
    private readonly string topic;
    private Uri? sidecar;
    private string? daprApiToken;

    private ProbeSubscriber(WebApplication app, int port, string pubsub, string topic)
    {
        this.app = app;
        Port = port;
        this.pubsub = pubsub;
        this.topic = topic;
    }

    public int Port { get; }

    // Starts listening; the sidecar, started next, finds the subscription at GET /dapr/subscribe.
    public static async Task<ProbeSubscriber> StartAsync(int port, string pubsub, string topic, string appApiToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var probe = new ProbeSubscriber(app, port, pubsub, topic);

        // The sidecar sends APP_API_TOKEN on every call to the app (dapr-api-token): nobody else may deliver.
        app.Use(async (context, next) =>
        {
            if (context.Request.Headers["dapr-api-token"] != appApiToken)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            await next(context);
        });
        app.MapGet("/dapr/subscribe", () => Results.Json(new[] { new { pubsubname = pubsub, topic, route = Route } }));
        app.MapPost(Route, async (HttpRequest request) =>
        {
            var cloudEvent = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
            lock (probe.delivered)
            {
                probe.delivered.Add(cloudEvent);
            }

            return Results.Json(new { status = "SUCCESS" });
        });
        await app.StartAsync();
        return probe;
    }

    // Every CloudEvent delivered so far, in the order they arrived (duplicates included).
    public IReadOnlyList<JsonElement> Delivered
    {
        get
        {
            lock (delivered)
            {
                return [.. delivered];
            }
        }
    }

    public void Attach(Uri sidecarHttp, string sidecarApiToken)
    {
        sidecar = sidecarHttp;
        daprApiToken = sidecarApiToken;
    }

    // Publishes a delivered CloudEvent again through the probe's sidecar, unchanged: with metadata
    // rawPayload=true daprd hands the body to the broker as it is instead of wrapping it in a new
    // envelope (pkg/api/http publish), and a subscriber's sidecar reads it as the CloudEvent it is.
    public async Task RepublishAsync(JsonElement cloudEvent)
    {
        using var http = new HttpClient { BaseAddress = sidecar ?? throw new InvalidOperationException("the probe has no sidecar yet") };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1.0/publish/{pubsub}/{topic}?metadata.rawPayload=true")
        {
            Content = new StringContent(cloudEvent.GetRawText(), Encoding.UTF8, "application/cloudevents+json"),
        };
        request.Headers.Add("dapr-api-token", daprApiToken);
        using var answer = await http.SendAsync(request);
        if (!answer.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"republishing {cloudEvent.GetProperty("id")} answered {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
        }
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
