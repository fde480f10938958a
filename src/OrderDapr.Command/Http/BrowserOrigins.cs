using Microsoft.AspNetCore.Cors.Infrastructure;

namespace OrderDapr.Command.Http;

// Frontends served from another origin (order-query's order page at http://localhost:5002 in the
// README's run, a shop's own site in production) call the command API from the browser: the
// origins in Cors:AllowedOrigins may, no other. They send the headers the API reads
// (Content-Type, Idempotency-Key, If-Match) and read the ones it answers with.
public static class BrowserOrigins
{
    public const string Section = "Cors:AllowedOrigins";

    public static IServiceCollection AddBrowserOrigins(this IServiceCollection services)
    {
        services.AddCors();

        // Read when the policy is first used, after every configuration source was added.
        services.AddOptions<CorsOptions>().Configure<IConfiguration>((options, configuration) => options.AddDefaultPolicy(policy => policy
            .WithOrigins(configuration.GetSection(Section).Get<string[]>() ?? [])
            .WithMethods(HttpMethods.Get, HttpMethods.Post)
            .WithHeaders("Content-Type", IdempotencyKey.Header, "If-Match")
            .WithExposedHeaders("ETag", "Location", IdempotencyKey.ReplayedHeader)
            .SetPreflightMaxAge(TimeSpan.FromHours(1))));
        return services;
    }
}
