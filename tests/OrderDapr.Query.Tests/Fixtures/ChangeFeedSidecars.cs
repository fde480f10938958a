using System.Net.Http.Json;
using System.Text.Json;
using OrderDapr.Query.Changes;

namespace OrderDapr.Query.Tests.Fixtures;

// The sidecars of the replicas as the change feed's component makes them behave (consumerID
// "{uuid}": a consumer group each): every published message is delivered to every replica's
// route, as a CloudEvent, with the app token.
public sealed class ChangeFeedSidecars
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly List<QueryHost> replicas = [];

    public void Add(QueryHost replica)
    {
        lock (replicas)
        {
            replicas.Add(replica);
        }
    }

    public async Task DeliverAsync(OrderChanges changes, CancellationToken cancellationToken)
    {
        QueryHost[] all;
        lock (replicas)
        {
            all = [.. replicas];
        }

        foreach (var replica in all)
        {
            await DeliverAsync(replica, JsonSerializer.SerializeToElement(changes, Json), cancellationToken);
        }
    }

    // As daprd delivers a message of topic order-changes (any JSON as its data).
    public static async Task<HttpResponseMessage> DeliverAsync(QueryHost replica, JsonElement data, CancellationToken cancellationToken)
    {
        var cloudEvent = new
        {
            id = Guid.NewGuid().ToString(),
            source = "order-query",
            type = "com.dapr.event.sent",
            specversion = "1.0",
            datacontenttype = "application/json",
            topic = DaprChangeFeedBroker.Topic,
            pubsubname = DaprChangeFeedBroker.PubSub,
            data,
        };
        using var request = replica.Request(HttpMethod.Post, ChangeFeedEndpoints.Route, appToken: QueryHost.AppToken, content: JsonContent.Create(cloudEvent));
        var response = await replica.Http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return response;
    }
}
