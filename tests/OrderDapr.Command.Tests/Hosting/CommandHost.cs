using System.Net.Http.Json;
using System.Text.Json;
using Dapr.Client;
using DaprEmulator.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrderDapr.Command.StreamIndex;
using OrderDapr.Contracts;
using OrderDapr.Testing;

namespace OrderDapr.Command.Tests.Hosting;

// order-command in-process over real HTTP on loopback, as `dapr run` wires it: a fresh emulated
// Dapr environment with the repository's components, a sidecar for app id order-command that
// requires DAPR_API_TOKEN, and the app host (OrderCommandApp) on a free port.
public sealed class CommandHost : IAsyncDisposable
{
    public const string DefaultAppApiToken = "app-token";
    public const string DaprApiTokenHeader = "dapr-api-token";

    // Stopped last to first.
    private readonly List<Func<Task>> stops = [];

    private CommandHost(CommandHostOptions options) => Options = options;

    public CommandHostOptions Options { get; }

    public DaprEmulatorHost Emulator { get; private set; } = null!;

    public DaprSidecar Sidecar { get; private set; } = null!;

    public WebApplication App { get; private set; } = null!;

    // A client of the app with no token: any caller on the network.
    public HttpClient Public { get; private set; } = null!;

    // The app's own sidecar API, with its token: how the tests look at what was stored.
    public DaprClient Dapr { get; private set; } = null!;

    public StreamIndexWriter IndexWriter => App.Services.GetRequiredService<StreamIndexWriter>();

    public static async Task<CommandHost> StartAsync(CommandHostOptions? options = null)
    {
        var host = new CommandHost(options ?? new CommandHostOptions());
        try
        {
            await host.StartAsync();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        Emulator = await DaprEmulatorHost.StartAsync(new EmulatorOptions { ResourcesPaths = [Options.ResourcesPath] });
        stops.Add(() => Emulator.DisposeAsync().AsTask());
        var channelPort = FreePort.Next();
        Sidecar = await Emulator.StartSidecarAsync(new SidecarOptions
        {
            AppId = "order-command",
            AppPort = channelPort,
            ApiToken = Options.DaprApiToken,
            AppApiToken = Options.AppApiToken,
        });

        var appPort = FreePort.Next();
        var settings = new Dictionary<string, string?>
        {
            ["DAPR_HTTP_PORT"] = Sidecar.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DAPR_GRPC_PORT"] = Sidecar.GrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DAPR_API_TOKEN"] = Options.DaprApiToken,
        };
        if (Options.AppApiToken is { } appToken)
        {
            settings["APP_API_TOKEN"] = appToken;
        }

        App = OrderCommandApp.Build([], builder =>
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{appPort}");
            builder.Configuration.AddInMemoryCollection(settings).AddInMemoryCollection(Options.Configuration);
            builder.Logging.ClearProviders();
            if (Options.Logs is { } logs)
            {
                builder.Logging.AddProvider(logs);
            }

            Options.Services?.Invoke(builder.Services);
        });
        await App.StartAsync();
        stops.Add(async () =>
        {
            await App.StopAsync();
            await App.DisposeAsync();
        });
        var appAddress = new Uri($"http://127.0.0.1:{appPort}");
        Public = new HttpClient { BaseAddress = appAddress, Timeout = TimeSpan.FromSeconds(60) };
        Dapr = new DaprClientBuilder()
            .UseGrpcEndpoint(Sidecar.GrpcEndpoint)
            .UseHttpEndpoint(Sidecar.HttpEndpoint)
            .UseDaprApiToken(Options.DaprApiToken)
            .Build();

        if (Options.AppApiToken is not null)
        {
            var forwarder = await AppChannelForwarder.StartAsync(channelPort, appAddress, Options.AppApiToken);
            stops.Add(() => forwarder.DisposeAsync().AsTask());
            await Poll.UntilAsync(() => Sidecar.IsAppReady, "the sidecar to register the app's actors");
        }
    }

    // A client of the app that presents the given app token, as the sidecar does.
    public HttpClient AsSidecar(string? token = DefaultAppApiToken)
    {
        var client = new HttpClient { BaseAddress = Public.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation(DaprApiTokenHeader, token);
        }

        return client;
    }

    public async Task<string> PlaceAsync(string customerId = "c-1", string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders")
        {
            Content = JsonContent.Create(new { customerId, items = new[] { new { productId = "p-1", quantity = 2, unitPrice = 9.99m } } }),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var response = await Public.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"placing an order answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("orderId").GetString()!;
    }

    public async Task<JsonElement?> StoredStreamAsync(string orderId) =>
        await Dapr.GetStateAsync<JsonElement?>(Messaging.EventStore, $"order-{orderId}");

    public IReadOnlyList<JsonElement> Published() =>
        [.. Emulator.GetPublishedMessages(Messaging.PubSub, Messaging.OrdersTopic).Select(m => JsonDocument.Parse(m.Data).RootElement.Clone())];

    // Every stream /streams hands out, page after page, as the sidecar would fetch them.
    public async Task<List<OrderStreamEvents>> AllStreamsAsync(int limit)
    {
        using var sidecar = AsSidecar();
        var all = new List<OrderStreamEvents>();
        string? cursor = null;
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 10_000, "/streams never ended");
            var query = $"{StreamPages.Route}?limit={limit}" + (cursor is null ? "" : $"&after={Uri.EscapeDataString(cursor)}");
            var page = await sidecar.GetFromJsonAsync<StreamPage>(query);
            Assert.NotNull(page);
            Assert.True(page.Streams.Count <= limit, $"a page of {page.Streams.Count} streams for limit {limit}");
            all.AddRange(page.Streams);
            if (page.NextCursor is null)
            {
                return all;
            }

            cursor = page.NextCursor;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Public?.Dispose();
        Dapr?.Dispose();
        for (var i = stops.Count - 1; i >= 0; i--)
        {
            await stops[i]();
        }
    }
}
