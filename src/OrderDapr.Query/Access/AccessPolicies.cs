using Dapr.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace OrderDapr.Query.Access;

// Who may call what. The routes only the Dapr sidecar calls (the subscription list and the topic
// deliveries) require the app API token daprd sends in header `dapr-api-token`, checked by
// Dapr.AspNetCore's scheme and policy; the operator's /admin routes require the bearer token
// ADMIN_TOKEN. Without a token configured, both stay closed. GraphQL and /healthz are public.
public static class AccessPolicies
{
    public const string Sidecar = "Dapr";
    public const string Admin = "Admin";

    // Dapr.AspNetCore's scheme (its DaprAuthenticationOptions.DefaultScheme is internal).
    public const string SidecarScheme = "Dapr";

    public static IServiceCollection AddAccessPolicies(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAuthentication()
            .AddDapr(options => options.Token = configuration["APP_API_TOKEN"] ?? "")
            .AddScheme<AdminTokenOptions, AdminTokenAuthenticationHandler>(
                AdminTokenAuthenticationHandler.SchemeName, options => options.Token = configuration["ADMIN_TOKEN"]);
        services.AddAuthorization(options =>
        {
            options.AddDapr(Sidecar);
            options.AddPolicy(Admin, policy => policy.AddAuthenticationSchemes(AdminTokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser());
        });
        return services.AddSingleton<IAuthorizationMiddlewareResultHandler, AccessRefusals>();
    }

    public static void LogClosedRoutes(this WebApplication app)
    {
        if (string.IsNullOrWhiteSpace(app.Services.GetRequiredService<IOptionsMonitor<DaprAuthenticationOptions>>().Get(SidecarScheme).Token))
        {
            app.Logger.LogWarning("APP_API_TOKEN is not set: every call of the Dapr sidecar is refused, so no event reaches the projection. " +
                                  "Give order-query and its sidecar the same app API token.");
        }

        if (!app.Services.GetRequiredService<IOptionsMonitor<AdminTokenOptions>>().Get(AdminTokenAuthenticationHandler.SchemeName).IsConfigured)
        {
            app.Logger.LogInformation("ADMIN_TOKEN is not set: the /admin routes are closed.");
        }
    }
}
