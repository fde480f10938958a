using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;
using OrderDapr.Query.GraphQL.GraphiQL;
using OrderDapr.Query.GraphQL.Subscriptions;
using OrderDapr.Query.Http;

namespace OrderDapr.Query.GraphQL.Http;

// /graphql for every client: a WebSocket upgrade speaks graphql-transport-ws (subscriptions), a
// browser asking for HTML gets GraphiQL, every other GET or POST is GraphQL over HTTP. Browsers
// on other origins are let in by configuration only (GraphQLOrigins).
public static class GraphQLRoute
{
    public const string Pattern = "/graphql";
    public const string CorsPolicy = "graphql";

    public static IServiceCollection AddGraphQLRoute(this IServiceCollection services)
    {
        services.AddOptions<GraphQLCorsOptions>()
            .BindConfiguration(GraphQLCorsOptions.Section)
            .Validate(o => o.AllowedOrigins.All(origin => GraphQLOrigins.Normalize(origin) is not null),
                $"{GraphQLCorsOptions.Section}:AllowedOrigins must hold origins only: scheme://host[:port], e.g. https://shop.example.com.")
            .ValidateOnStart();
        services.AddSingleton<GraphQLOrigins>();
        services.AddCors();
        services.AddSingleton<IConfigureOptions<CorsOptions>>(sp => new ConfigureOptions<CorsOptions>(cors =>
            cors.AddPolicy(CorsPolicy, policy => policy
                .SetIsOriginAllowed(sp.GetRequiredService<GraphQLOrigins>().IsAllowed)
                .WithMethods(HttpMethods.Get, HttpMethods.Post)
                .AllowAnyHeader()
                .SetPreflightMaxAge(TimeSpan.FromHours(1)))));
        return services.AddGraphQLWebSockets();
    }

    public static IEndpointRouteBuilder MapGraphQL(this IEndpointRouteBuilder app)
    {
        app.MapMethods(Pattern, [HttpMethods.Get, HttpMethods.Post], HandleAsync).RequireCors(CorsPolicy);
        app.MapGraphiQLAssets();
        return app;
    }

    public static async Task HandleAsync(HttpContext context)
    {
        if (context.WebSockets.IsWebSocketRequest)
        {
            if (!context.RequestServices.GetRequiredService<GraphQLOrigins>().MayOpenWebSocket(context.Request))
            {
                await Problems.Create(StatusCodes.Status403Forbidden, "origin-not-allowed", "This origin may not open a WebSocket here",
                    "Pages of this origin are not allowed to use /graphql; the service's configuration (Cors:AllowedOrigins) names the origins that are.")
                    .ExecuteAsync(context);
                return;
            }

            await GraphQLWebSocketEndpoint.HandleAsync(context);
            return;
        }

        if (HttpMethods.IsGet(context.Request.Method) && GraphiQLPage.IsAskedFor(context.Request))
        {
            if (!RedirectedWithoutTrailingSlash(context))
            {
                await GraphiQLPage.WriteAsync(context);
            }

            return;
        }

        await GraphQLEndpoint.HandleAsync(context);
    }

    // GraphiQL loads its files relative to its URL (graphiql/…, so that it works behind a proxy
    // that serves order-query under a path prefix): opened as /graphql/ it would look for them
    // under /graphql/graphiql/. Sent to /graphql instead, relative again, with the query string
    // (the browser keeps the fragment, e.g. #token=…).
    private static bool RedirectedWithoutTrailingSlash(HttpContext context)
    {
        var request = context.Request;
        if (request.Path.Value is not { Length: > 1 } path || !path.EndsWith('/'))
        {
            return false;
        }

        var name = path.TrimEnd('/');
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = $"../{name[(name.LastIndexOf('/') + 1)..]}{request.QueryString}";
        return true;
    }
}
