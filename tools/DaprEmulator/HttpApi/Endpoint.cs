using DaprEmulator.Api;

namespace DaprEmulator.HttpApi;

internal static class Endpoint
{
    public static async Task Run(HttpContext http, Func<Task> handler)
    {
        try
        {
            await handler();
        }
        catch (DaprApiException e)
        {
            await HttpErrors.WriteAsync(http, e);
        }
    }

    // respondWithEmpty: 204.
    public static void NoContent(HttpContext http) => http.Response.StatusCode = StatusCodes.Status204NoContent;
}
