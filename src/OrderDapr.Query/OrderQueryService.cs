using OrderDapr.Contracts;
using OrderDapr.Observability.Health;
using OrderDapr.Observability.Telemetry;
using OrderDapr.Query.Access;
using OrderDapr.Query.Changes;
using OrderDapr.Query.DeadLetters;
using OrderDapr.Query.Frontend;
using OrderDapr.Query.GraphQL;
using OrderDapr.Query.GraphQL.Http;
using OrderDapr.Query.Projections;
using OrderDapr.Query.ReadModel;
using OrderDapr.Query.Rebuild;
using OrderDapr.Query.Subscriptions;
using OrderDapr.Query.Telemetry;

namespace OrderDapr.Query;

// order-query's services and routes, for Program and for tests that run the whole pipeline.
public static class OrderQueryService
{
    // What order-query cannot work without: the read model it projects into and serves, the
    // pub/sub its events arrive on, and its change feed.
    public static readonly IReadOnlyList<string> RequiredComponents = [Messaging.ReadModelStore, Messaging.PubSub, DaprChangeFeedBroker.PubSub];

    public static WebApplicationBuilder AddOrderQuery(this WebApplicationBuilder builder)
    {
        builder.AddServiceTelemetry(QueryTelemetry.Service);
        var services = builder.Services;
        services.AddReadiness();
        services.AddProblemDetails();
        services.AddAccessPolicies(builder.Configuration);

        // Reads DAPR_GRPC_ENDPOINT / DAPR_GRPC_PORT lazily: nothing calls the sidecar before a request.
        services.AddDaprClient();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IReadModelStore, DaprReadModelStore>();
        services.AddSingleton<Generations>();
        services.AddOptions<ReadCacheOptions>().BindConfiguration(ReadCacheOptions.Section);
        services.AddSingleton<OrderViewCache>();
        services.AddSingleton<OrderProjector>();
        services.AddSingleton<OrderQueries>();
        services.AddChangeFeed();
        services.AddSingleton<DeadLetterStore>();
        services.AddSingleton<DeadLetterReplay>();
        services.AddSingleton<IStreamSource>(sp => DaprStreamSource.Create(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<ProjectionRebuild>();
        services.AddOrderGraphQL();
        services.AddGraphQLRoute();
        services.AddOrderPages();
        return builder;
    }

    public static WebApplication MapOrderQuery(this WebApplication app)
    {
        app.LogClosedRoutes();
        app.UseExceptionHandler();
        app.UseWebSockets();
        app.UseCors();

        app.MapSubscriptions();
        app.MapChangeFeed();
        app.MapGroup("/admin").RequireAuthorization(AccessPolicies.Admin).MapDeadLetters().MapRebuild();
        app.MapGraphQL();
        app.MapOrderPages();
        app.MapGet("/healthz", () => TypedResults.Ok());
        app.MapProbes(RequiredComponents);
        app.MapMetrics();
        return app;
    }
}
