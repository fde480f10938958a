using System.Text;
using System.Text.Json;
using Dapr.Client;
using OrderDapr.Contracts;

namespace OrderDapr.Bench;

// The references measured against the sidecars themselves, without the apps in the path:
//  - the raw Dapr floor of a placement: the sidecar calls order-command makes for one new order
//    (register the payment-deadline reminder, append the stream with its outbox projection in one
//    state transaction, publish the event), issued directly against order-command's sidecar;
//  - a raw state read of an order document of the read model, against order-query's sidecar:
//    over its HTTP API (the protocol GraphQL clients use, through the same client stack) and
//    over gRPC (the protocol order-query itself uses).
// The floor writes real orders (customer "bench-floor"): the outbox publishes them and order-query
// projects them, as it would orders placed through the API.
public sealed class SidecarReferences(Endpoints endpoints, string? commandApiToken, string? queryApiToken, int connections) : IDisposable
{
    private readonly DaprClient _command = Build(endpoints.CommandSidecarGrpc, endpoints.CommandSidecarHttp, commandApiToken);
    private readonly DaprClient _query = Build(endpoints.QuerySidecarGrpc, null, queryApiToken);
    private readonly HttpClient _commandHttp = BuildHttp(endpoints.CommandSidecarHttp, commandApiToken, connections);
    private readonly HttpClient _queryHttp = BuildHttp(endpoints.QuerySidecarHttp, queryApiToken, connections);

    public const string FloorCustomer = "bench-floor";

    public async Task<bool> PlacementFloorAsync(long index, CancellationToken ct)
    {
        var orderId = Guid.NewGuid().ToString();
        using var reminder = new StringContent("""{"dueTime":"0h30m0s0ms","period":""}""", Encoding.UTF8, "application/json");
        using (var response = await _commandHttp.PutAsync($"/v1.0/actors/OrderActor/{orderId}/reminders/payment-deadline", reminder, ct))
        {
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }
        }

        var created = new OrderCreated(FloorCustomer, [new OrderLine($"p-{index % 500}", 1, SystemClient.PriceOf(index))], "USD");
        var envelope = new EventEnvelope(Guid.NewGuid().ToString(), orderId, 1, EventSerializer.TypeNameOf(created), DateTimeOffset.UtcNow, EventSerializer.ToData(created));
        var stream = new { orderId, events = new[] { envelope }, idempotency = new Dictionary<string, object>() };
        var key = $"order-{orderId}";
        await _command.ExecuteStateTransactionAsync(Messaging.EventStore,
        [
            new StateTransactionRequest(key, JsonSerializer.SerializeToUtf8Bytes(stream, EventSerializer.Options), StateOperationType.Upsert,
                metadata: new Dictionary<string, string> { ["type"] = envelope.Type, ["subject"] = orderId },
                options: new StateOptions { Concurrency = ConcurrencyMode.FirstWrite, Consistency = ConsistencyMode.Strong }),
            new StateTransactionRequest(key, JsonSerializer.SerializeToUtf8Bytes(envelope, EventSerializer.Options), StateOperationType.Upsert,
                metadata: new Dictionary<string, string> { ["outbox.projection"] = "true", ["contentType"] = "application/json" }),
        ], cancellationToken: ct);
        await _command.PublishEventAsync(Messaging.PubSub, Messaging.OrdersTopic, envelope,
            new Dictionary<string, string> { ["cloudevent.id"] = envelope.EventId, ["cloudevent.type"] = envelope.Type }, ct);
        return true;
    }

    public async Task<bool> ReadModelDocumentGrpcAsync(string orderId, CancellationToken ct)
    {
        var document = await _query.GetStateAsync<JsonElement>(Messaging.ReadModelStore, $"order-{orderId}", cancellationToken: ct);
        return document.ValueKind == JsonValueKind.Object;
    }

    public async Task<bool> ReadModelDocumentHttpAsync(string orderId, CancellationToken ct)
    {
        using var response = await _queryHttp.GetAsync($"/v1.0/state/{Messaging.ReadModelStore}/order-{orderId}", HttpCompletionOption.ResponseContentRead, ct);
        return response.StatusCode == System.Net.HttpStatusCode.OK;
    }

    private static DaprClient Build(Uri grpc, Uri? http, string? token)
    {
        var builder = new DaprClientBuilder().UseGrpcEndpoint(grpc.ToString().TrimEnd('/'));
        if (http is not null)
        {
            builder.UseHttpEndpoint(http.ToString().TrimEnd('/'));
        }

        if (token is not null)
        {
            builder.UseDaprApiToken(token);
        }

        return builder.Build();
    }

    private static HttpClient BuildHttp(Uri sidecar, string? token, int connections)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseProxy = false }) { BaseAddress = sidecar };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Add("dapr-api-token", token);
        }

        return http;
    }

    public void Dispose()
    {
        _command.Dispose();
        _query.Dispose();
        _commandHttp.Dispose();
        _queryHttp.Dispose();
    }
}
