using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using OrderDapr.Query.Http;

namespace OrderDapr.Query.Access;

// A refused call is answered with a problem (RFC 9457) saying what is missing, instead of the
// empty 401/403 of the authentication handlers; the endpoint never runs.
public sealed class AccessRefusals(IOptionsMonitor<AdminTokenOptions> adminOptions) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler standard = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            await next(context);
            return;
        }

        if (policy.AuthenticationSchemes.Contains(AccessPolicies.SidecarScheme))
        {
            await Problems.Create(StatusCodes.Status401Unauthorized, "sidecar-only", "Only the Dapr sidecar may call this route",
                "The request does not carry the app API token in header dapr-api-token.").ExecuteAsync(context);
            return;
        }

        if (policy.AuthenticationSchemes.Contains(AdminTokenAuthenticationHandler.SchemeName))
        {
            if (!adminOptions.Get(AdminTokenAuthenticationHandler.SchemeName).IsConfigured)
            {
                await Problems.Create(StatusCodes.Status403Forbidden, "admin-disabled", "The admin routes are closed",
                    "No admin token is configured (ADMIN_TOKEN), so no one may call the admin routes.").ExecuteAsync(context);
                return;
            }

            // RFC 6750 §3: no credentials, just the scheme; credentials that failed, invalid_token.
            context.Response.Headers[HeaderNames.WWWAuthenticate] =
                AdminTokenAuthenticationHandler.PresentsToken(context.Request) ? "Bearer error=\"invalid_token\"" : "Bearer";
            await Problems.Create(StatusCodes.Status401Unauthorized, "admin-token-required", "The admin token is missing or wrong",
                "Send the admin token as Authorization: Bearer <token>.").ExecuteAsync(context);
            return;
        }

        await standard.HandleAsync(next, context, policy, authorizeResult);
    }
}
