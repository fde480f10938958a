using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr;
using Dapr.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprEmulator.Tests.Support;

public sealed record ReceivedEvent(string Path, string? ContentType, JsonObject CloudEvent, IReadOnlyDictionary<string, string> Headers);

// One bulk delivery: the JSON envelope as sent, and as Dapr.AspNetCore's model reads it.
public sealed record ReceivedBatch(
    string Path, string? ContentType, JsonObject Envelope, BulkSubscribeMessage<BulkMessageModel<JsonElement>> Message, IReadOnlyDictionary<string, string> Headers)
{
    public IReadOnlyList<string> EntryIds => [.. Message.Entries.Select(e => e.EntryId)];

    public IReadOnlyList<JsonObject> Events => [.. Envelope["entries"]!.AsArray().Select(e => e!["event"]!.AsObject())];

    // Answers every entry with `status(entry)`, the way a Dapr.AspNetCore handler does.
    public IResult Answer(Func<BulkSubscribeMessageEntry<BulkMessageModel<JsonElement>>, BulkSubscribeAppResponseStatus> status) =>
        Results.Ok(new BulkSubscribeAppResponse([.. Message.Entries.Select(e => new BulkSubscribeAppResponseEntry(e.EntryId, status(e)))]));
}

// A small real ASP.NET Core app on a loopback port that subscribes with Dapr.AspNetCore
// (MapSubscribeHandler + WithTopic, WithBulkSubscribe) and records what the sidecar delivers to it.
public sealed class SubscriberApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedEvent> _received = new();
    private readonly ConcurrentQueue<ReceivedBatch> _batches = new();

    private SubscriberApp(WebApplication app) => _app = app;

    public int Port { get; private set; }

    public IReadOnlyList<ReceivedEvent> Received => [.. _received];

    public IReadOnlyList<ReceivedEvent> At(string path) => [.. _received.Where(r => r.Path == path)];

    public IReadOnlyList<ReceivedBatch> Batches => [.. _batches];

    // Maps a topic route; `answer` decides the response to each delivery (default: 200 SUCCESS).
    public static async Task<SubscriberApp> StartAsync(Action<SubscriberApp, WebApplication> map, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Services.AddRouting();
        var web = builder.Build();
        var app = new SubscriberApp(web);
        web.MapSubscribeHandler();
        map(app, web);
        await web.StartAsync(TestContext.Current.CancellationToken);
        app.Port = new Uri(web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return app;
    }

    public RouteHandlerBuilder Topic(WebApplication web, string path, TopicOptions topic, Func<ReceivedEvent, IResult>? answer = null) =>
        web.MapPost(path, async (HttpContext http) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject ?? [];
            var received = new ReceivedEvent(
                path, http.Request.ContentType, body,
                http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            _received.Enqueue(received);
            return answer?.Invoke(received) ?? Results.Ok(new { status = "SUCCESS" });
        }).WithTopic(topic);

    public RouteHandlerBuilder Topic(WebApplication web, string path, string pubsub, string topic, Func<ReceivedEvent, IResult>? answer = null) =>
        Topic(web, path, new TopicOptions { PubsubName = pubsub, Name = topic }, answer);

    // A bulk-subscribed topic route (WithTopic + WithBulkSubscribe); `answer` decides the response
    // to each batch (default: SUCCESS for every entry).
    public RouteHandlerBuilder BulkTopic(WebApplication web, string path, TopicOptions topic, BulkSubscribeTopicOptions bulk, Func<ReceivedBatch, Task<IResult>>? answer = null) =>
        web.MapPost(path, async (HttpContext http) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject ?? [];
            var batch = new ReceivedBatch(
                path, http.Request.ContentType, body,
                body.Deserialize<BulkSubscribeMessage<BulkMessageModel<JsonElement>>>(JsonSerializerOptions.Web)!,
                http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            _batches.Enqueue(batch);
            return answer is null ? batch.Answer(_ => BulkSubscribeAppResponseStatus.SUCCESS) : await answer(batch);
        }).WithTopic(topic).WithBulkSubscribe(bulk);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
