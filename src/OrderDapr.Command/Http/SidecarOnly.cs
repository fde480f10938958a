using Dapr;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using OrderDapr.Contracts;

namespace OrderDapr.Command.Http;

// The routes only order-command's Dapr sidecar may call (the actor routes, /streams) take a caller
// only if it sends header dapr-api-token equal to the app API token, as daprd does on every call to
// its app once APP_API_TOKEN is set (pkg/channel/http/http_channel.go). This is Dapr.AspNetCore's
// own scheme and policy. Without a token configured the scheme authenticates nobody, so those routes
// stay closed rather than open to anyone who can reach the app port.
public static class SidecarOnly
{
    public const string Policy = "Dapr";

    public static IServiceCollection AddSidecarOnlyAuthorization(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAuthentication().AddDapr(options => options.Token = AppApiToken(configuration));
        services.AddAuthorization(options => options.AddDapr(Policy));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, SidecarOnlyRefusal>();
        return services;
    }

    // Not for clients, so not in the API document either.
    public static TBuilder RequireSidecar<TBuilder>(this TBuilder endpoints)
        where TBuilder : IEndpointConventionBuilder =>
        endpoints.RequireAuthorization(Policy).ExcludeFromDescription();

    public static void WarnIfClosed(WebApplication app)
    {
        if (string.IsNullOrWhiteSpace(AppApiToken(app.Configuration)))
        {
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SidecarOnly).FullName!).LogWarning(
                "APP_API_TOKEN is not set: the routes only the Dapr sidecar may call (actors, {Route}) refuse every caller, so no command can run. "
                + "Set APP_API_TOKEN for both the app and its sidecar.",
                StreamPages.Route);
        }
    }

    // Configuration first, then the environment: Dapr's own lookup (DaprDefaults).
    private static string AppApiToken(IConfiguration configuration) => DaprDefaults.GetDefaultAppApiToken(configuration);
}
