using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace OrderDapr.Command.Http;

// A refused caller gets a problem like every other error of this service, not a bare 401. The only
// policy in this service is the sidecar's, so every refusal is one. A 401 names the scheme it wants
// (RFC 9110 §15.5.2).
internal sealed class SidecarOnlyRefusal : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler defaultHandler = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Challenged && !authorizeResult.Forbidden)
        {
            return defaultHandler.HandleAsync(next, context, policy, authorizeResult);
        }

        context.Response.Headers.WWWAuthenticate = "Dapr-Api-Token";
        return Problems.Create(ProblemCatalogue.SidecarOnly,
                "This route takes calls from order-command's Dapr sidecar only, which sends the app API token in header dapr-api-token.")
            .ExecuteAsync(context);
    }
}
