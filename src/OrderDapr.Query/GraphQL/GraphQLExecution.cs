using System.Diagnostics;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Transport;
using GraphQL.Types;
using GraphQL.Validation;
using GraphQL.Validation.Complexity;
using GraphQL.Validation.Rules.Custom;
using OrderDapr.Query.Telemetry;

namespace OrderDapr.Query.GraphQL;

// Executing a GraphQL request against the order schema, with its limits, whatever the transport
// (HTTP, WebSocket); tests run the schema through it in-process.
public static class GraphQLExecution
{
    public const int MaxDepth = 15; // the standard introspection query nests `ofType` about 13 deep
    public const int MaxComplexity = 5_000; // one `orders(first: 100)` with every field and items is ~3,000

    private static readonly ComplexityValidationRule ComplexityRule = new(new ComplexityOptions
    {
        MaxDepth = MaxDepth,
        MaxComplexity = MaxComplexity,
    });

    public static IServiceCollection AddOrderGraphQL(this IServiceCollection services)
    {
        services.AddOptions<ReadYourWritesOptions>()
            .BindConfiguration(ReadYourWritesOptions.Section)
            .Validate(o => o.MaxWait > TimeSpan.Zero && o.MaxWait <= ReadYourWritesOptions.Limit,
                $"{ReadYourWritesOptions.Section}:MaxWait must be more than 0 and at most {ReadYourWritesOptions.Limit.TotalSeconds:0} seconds.")
            .ValidateOnStart();
        return services
            .AddSingleton<ISchema, OrderSchema>()
            .AddSingleton(new DocumentCache([ComplexityRule]))
            .AddSingleton<IDocumentExecuter>(sp => new DocumentExecuter(
                new GraphQLDocumentBuilder(), new DocumentValidator(), new DefaultExecutionStrategySelector(), [sp.GetRequiredService<DocumentCache>()]))
            .AddSingleton<IGraphQLTextSerializer, global::GraphQL.SystemTextJson.GraphQLSerializer>();
    }

    public static async Task<ExecutionResult> ExecuteAsync(IServiceProvider services, GraphQLRequest request, CancellationToken cancellationToken)
    {
        // One span per request, whatever the transport; the read-model reads are its children.
        using var activity = QueryTelemetry.Source.StartActivity("graphql");
        activity?.SetTag("graphql.operation.name", request.OperationName);
        var result = await services.GetRequiredService<IDocumentExecuter>().ExecuteAsync(options =>
        {
            options.Schema = services.GetRequiredService<ISchema>();
            options.Query = request.Query;
            options.Variables = request.Variables;
            options.Extensions = request.Extensions;
            options.OperationName = request.OperationName;
            options.RequestServices = services;
            options.UserContext = new OrderRequestContext(ActivatorUtilities.CreateInstance<OrderLoader>(services));
            options.CancellationToken = cancellationToken;
            options.ValidationRules = DocumentValidator.CoreRules.Append(ComplexityRule);
            options.UnhandledExceptionDelegate = exceptionContext =>
            {
                services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GraphQLExecution))
                    .LogWarning(exceptionContext.OriginalException, "GraphQL resolver failed");
                return Task.CompletedTask;
            };
        });
        if (result.Errors is { Count: > 0 })
        {
            activity?.SetStatus(ActivityStatusCode.Error, result.Errors[0].Message);
        }

        return result;
    }
}
