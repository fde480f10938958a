using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrderDapr.Command.Actors;
using OrderDapr.Command.Domain;
using OrderDapr.Command.StreamIndex;
using OrderDapr.Command.Tests.Hosting;
using OrderDapr.Contracts;

namespace OrderDapr.Command.Tests;

// The routes only order-command's sidecar may call take the app API token in header
// dapr-api-token; everything else is the public API. The app runs in-process over real HTTP.
public sealed class SidecarOnlyRoutesTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    [InlineData("")]
    public async Task A_forged_actor_call_is_refused_with_a_problem_and_changes_nothing(string? token)
    {
        await using var host = await CommandHost.StartAsync();
        var orderId = Guid.NewGuid().ToString();
        using var caller = host.AsSidecar(token);

        using var response = await caller.PutAsync($"/actors/{OrderActor.TypeName}/{orderId}/method/{nameof(IOrderActor.Execute)}", PlaceCommand());

        await AssertRefusedAsync(response);
        await host.Emulator.WaitForIdleAsync(Poll.Bound);
        Assert.Null(await host.StoredStreamAsync(orderId));
        Assert.Null(await host.Dapr.GetStateAsync<JsonElement?>(Messaging.EventStore, StreamIndexLanes.Key));
        Assert.Empty(host.Published());
    }

    [Fact]
    public async Task The_sidecar_presenting_the_app_token_runs_the_actor()
    {
        await using var host = await CommandHost.StartAsync();
        var orderId = Guid.NewGuid().ToString();
        using var sidecar = host.AsSidecar();

        using var response = await sidecar.PutAsync($"/actors/{OrderActor.TypeName}/{orderId}/method/{nameof(IOrderActor.Execute)}", PlaceCommand());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var outcome = await response.Content.ReadFromJsonAsync<CommandOutcome>(Web);
        Assert.Equal((OutcomeKind.Accepted, orderId, 1), (outcome!.Kind, outcome.OrderId, outcome.Version));
        var stored = await host.StoredStreamAsync(orderId);
        Assert.NotNull(stored);
        Assert.Equal("OrderCreated.v2", stored.Value.GetProperty("events")[0].GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("GET", "/dapr/config")]
    [InlineData("GET", StreamPages.Route)]
    [InlineData("DELETE", "/actors/OrderActor/{id}")]
    [InlineData("PUT", "/actors/OrderActor/{id}/method/remind/payment-deadline")]
    [InlineData("PUT", "/actors/OrderActor/{id}/method/timer/t")]
    public async Task Every_sidecar_route_refuses_a_caller_without_the_token_and_takes_the_sidecar(string method, string route)
    {
        await using var host = await CommandHost.StartAsync();
        var path = route.Replace("{id}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
        using var sidecar = host.AsSidecar();

        using var refused = await host.Public.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) });
        using var taken = await sidecar.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) });

        await AssertRefusedAsync(refused);
        Assert.NotEqual(HttpStatusCode.Unauthorized, taken.StatusCode);
    }

    [Fact]
    public async Task The_sidecar_reads_the_actor_config_with_the_token()
    {
        await using var host = await CommandHost.StartAsync();
        using var sidecar = host.AsSidecar();

        var config = await sidecar.GetFromJsonAsync<JsonElement>("/dapr/config");

        Assert.Contains(OrderActor.TypeName, config.GetProperty("entities").EnumerateArray().Select(e => e.GetString()));
    }

    // The public API needs no token, and the app sends DAPR_API_TOKEN on every call to its sidecar,
    // which requires it: the DaprClient (state, publish), the actor proxy (the call into the actor)
    // and the actor runtime (the reminder) each fail with 401 without it.
    [Fact]
    public async Task The_public_api_stays_open_and_the_app_presents_its_token_to_the_sidecar()
    {
        await using var host = await CommandHost.StartAsync();
        using var noDaprToken = new HttpClient { BaseAddress = new Uri(host.Sidecar.HttpEndpoint) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await noDaprToken.GetAsync($"/v1.0/state/{Messaging.EventStore}/x")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await host.Public.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Public.GetAsync($"/orders/{Guid.NewGuid()}")).StatusCode);
        var orderId = await host.PlaceAsync();

        Assert.NotNull(await host.StoredStreamAsync(orderId));
        using var sidecarApi = new HttpClient { BaseAddress = new Uri(host.Sidecar.HttpEndpoint) };
        sidecarApi.DefaultRequestHeaders.Add(CommandHost.DaprApiTokenHeader, host.Options.DaprApiToken);
        var reminder = await sidecarApi.GetAsync($"/v1.0/actors/{OrderActor.TypeName}/{orderId}/reminders/payment-deadline");
        Assert.Equal(HttpStatusCode.OK, reminder.StatusCode);
        Assert.NotEmpty(await reminder.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Without_an_app_token_the_sidecar_routes_are_closed_and_a_warning_says_so()
    {
        var logs = new CapturedLogs();
        await using var host = await CommandHost.StartAsync(new CommandHostOptions { AppApiToken = null, Logs = logs });
        var orderId = Guid.NewGuid().ToString();

        foreach (var token in new string?[] { null, "", "any-token" })
        {
            using var caller = host.AsSidecar(token);
            await AssertRefusedAsync(await caller.PutAsync($"/actors/{OrderActor.TypeName}/{orderId}/method/{nameof(IOrderActor.Execute)}", PlaceCommand()));
            await AssertRefusedAsync(await caller.GetAsync("/dapr/config"));
            await AssertRefusedAsync(await caller.GetAsync(StreamPages.Route));
        }

        Assert.Equal(HttpStatusCode.OK, (await host.Public.GetAsync("/healthz")).StatusCode);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("APP_API_TOKEN is not set", StringComparison.Ordinal));
        await host.Emulator.WaitForIdleAsync(Poll.Bound);
        Assert.Null(await host.StoredStreamAsync(orderId));
    }

    private static JsonContent PlaceCommand() =>
        JsonContent.Create(new CommandRequest(new PlaceOrder("c-1", [new OrderLine("p-1", 1, 5m)], "USD"), NewOrderId: true), options: Web);

    private static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Equal("sidecar-only", problem.GetProperty("code").GetString());
        Assert.Contains("Dapr-Api-Token", response.Headers.WwwAuthenticate.Select(h => h.Scheme));
    }
}
