using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OrderDapr.Query.Http;

namespace OrderDapr.Query.Frontend;

public sealed class FrontendOptions
{
    public const string Section = "Frontend";

    // Where the pages send commands (order-command's HTTP API, as the browser reaches it); that
    // service must allow this service's origin (its Cors:AllowedOrigins).
    public string CommandApiUrl { get; set; } = "http://localhost:5001";
}

// The order pages for people (wwwroot/app): a customer's orders with the form that places one
// (`/`, `/customers/{customerId}`) and one order (`/orders/{id}`), live through GraphQL
// subscriptions. Plain HTML and JavaScript, served from the assembly like GraphiQL.
public static class OrderPages
{
    private static readonly Lazy<EmbeddedAssets> Assets = new(() => EmbeddedAssets.Load("app"));

    public static IServiceCollection AddOrderPages(this IServiceCollection services)
    {
        services.AddOptions<FrontendOptions>().BindConfiguration(FrontendOptions.Section);
        return services;
    }

    public static IEndpointRouteBuilder MapOrderPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext context) => Assets.Value.WriteAsync(context, "index.html"));
        app.MapGet("/customers/{customerId}", (HttpContext context) => Assets.Value.WriteAsync(context, "index.html"));
        app.MapGet("/orders/{id}", (HttpContext context) => Assets.Value.WriteAsync(context, "order.html"));

        // What the pages need to know of their deployment, as a script they load before app.js.
        app.MapGet("/app/config.js", (HttpContext context, IOptions<FrontendOptions> options) =>
        {
            var config = JsonSerializer.Serialize(new { commandApi = options.Value.CommandApiUrl, graphql = "/graphql" });
            return EmbeddedAssets.WriteAsync(context, Encoding.UTF8.GetBytes($"window.OrderDaprConfig = {config};\n"), "text/javascript; charset=utf-8");
        });
        app.MapGet("/app/{file}", (HttpContext context, string file) =>
            file.EndsWith(".html", StringComparison.Ordinal) ? Results.NotFound().ExecuteAsync(context) : Assets.Value.WriteAsync(context, file));
        return app;
    }
}
