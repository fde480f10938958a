using System.Text.Json;
using GraphQL;
using GraphQL.SystemTextJson;
using GraphQL.Transport;
using Microsoft.Extensions.DependencyInjection;
using OrderDapr.Contracts;
using OrderDapr.Query.GraphQL;
using OrderDapr.Query.ReadModel;

namespace OrderDapr.Query.Tests.Fixtures;

// The service's GraphQL registrations over an in-memory read model filled by the projector.
public sealed class GraphQLFixture : IDisposable
{
    public GraphQLFixture(TimeProvider? time = null)
    {
        Services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IReadModelStore>(Store)
            .AddSingleton(time ?? TimeProvider.System)
            .AddSingleton<Generations>()
            .AddSingleton<OrderQueries>()
            .AddOrderGraphQL()
            .BuildServiceProvider();
    }

    public InMemoryReadModelStore Store { get; } = new();

    public ServiceProvider Services { get; }

    public async Task Given(params EventEnvelope[] events)
    {
        var projector = Fixtures.Given.Projector(Store, Services.GetRequiredService<Generations>());
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
        var result = await GraphQLEndpoint.ExecuteAsync(Services, request, TestContext.Current.CancellationToken);
        return JsonDocument.Parse(serializer.Serialize(result)).RootElement.Clone();
    }

    public void Dispose() => Services.Dispose();
}
