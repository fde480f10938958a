using System.Text.Json;
using GraphQL;
using GraphQL.SystemTextJson;
using GraphQL.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrderDapr.Contracts;
using OrderDapr.Query.Changes;
using OrderDapr.Query.GraphQL;
using OrderDapr.Query.ReadModel;

namespace OrderDapr.Query.Tests.Fixtures;

// The service's GraphQL registrations over an in-memory read model filled by the projector, with
// the change feed looped back to the hub (as the sidecar of a single replica would deliver it).
// The read cache holds views for `cacheMaxAge`: none by default, so that tests which change the
// store behind the service's back read what they wrote.
public sealed class GraphQLFixture : IDisposable
{
    public GraphQLFixture(TimeProvider? time = null, TimeSpan? cacheMaxAge = null)
    {
        Broker = new RecordingBroker((changes, cancellationToken) => Hub.ReceiveAsync(changes, cancellationToken));
        Services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddSingleton<IReadModelStore>(Store)
            .AddSingleton(time ?? TimeProvider.System)
            .AddSingleton<Generations>()
            .Configure<ReadCacheOptions>(options => options.MaxAge = cacheMaxAge ?? TimeSpan.Zero)
            .AddSingleton<OrderViewCache>()
            .AddSingleton<OrderQueries>()
            .AddSingleton<OrderChangeHub>()
            .AddSingleton(_ => Fixtures.Given.Publisher(Broker))
            .AddOrderGraphQL()
            .BuildServiceProvider();
        Time = Services.GetRequiredService<TimeProvider>();
        Services.GetRequiredService<OrderChangePublisher>().StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    public InMemoryReadModelStore Store { get; } = new();

    public RecordingBroker Broker { get; }

    public ServiceProvider Services { get; }

    public TimeProvider Time { get; }

    public OrderChangeHub Hub => Services.GetRequiredService<OrderChangeHub>();

    // Projects the events one at a time, as live deliveries; their changes reach the hub afterwards.
    public async Task Given(params EventEnvelope[] events)
    {
        var projector = Fixtures.Given.Projector(
            Store, Services.GetRequiredService<Generations>(), Services.GetRequiredService<OrderChangePublisher>(), Time);
        foreach (var envelope in events)
        {
            await projector.ProjectAsync([envelope], TestContext.Current.CancellationToken);
        }
    }

    // Runs a request in-process and returns the response JSON as the endpoint would write it.
    public async Task<JsonElement> Execute(string query, string? variables = null)
    {
        var serializer = new GraphQLSerializer();
        var request = new GraphQLRequest
        {
            Query = query,
            Variables = variables is null ? null : serializer.Deserialize<Inputs>(variables),
        };
        var result = await GraphQLExecution.ExecuteAsync(Services, request, TestContext.Current.CancellationToken);
        return JsonDocument.Parse(serializer.Serialize(result)).RootElement.Clone();
    }

    public void Dispose() => Services.Dispose();
}
