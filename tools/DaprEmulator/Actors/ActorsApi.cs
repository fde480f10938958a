using System.Text.Json;

namespace DaprEmulator.Actors;

// The actor HTTP API of a sidecar (pkg/api/http/actors.go), the one Dapr.Actors speaks.
public static class ActorsApi
{
    public static IEndpointRouteBuilder MapActorsApi(this IEndpointRouteBuilder routes, ActorRuntime runtime, string appId)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var actors = routes.MapGroup("/v1.0/actors/{actorType}/{actorId}");

        actors.MapMethods("/method/{method}", ["GET", "POST", "PUT", "DELETE"], context => Handle(context, runtime, async (type, id) =>
        {
            var call = new ActorMethodCall(
                Route(context, "method"), context.Request.QueryString.Value ?? "", context.Request.Headers, context.Request.ContentType, await ReadBodyAsync(context));
            var result = await runtime.InvokeMethodAsync(type, id, call, context.RequestAborted);
            foreach (var (name, values) in result.Headers)
            {
                context.Response.Headers.Append(name, values);
            }

            if (!string.IsNullOrEmpty(result.ContentType))
            {
                context.Response.ContentType = result.ContentType;
            }

            context.Response.StatusCode = result.StatusCode;
            await context.Response.Body.WriteAsync(result.Body, context.RequestAborted);
        }));

        actors.MapGet("/state/{key}", context => Handle(context, runtime, async (type, id) =>
        {
            var value = await runtime.GetStateAsync(appId, type, id, Route(context, "key"), context.RequestAborted);
            if (value is null)
            {
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(value, context.RequestAborted);
        }));

        actors.MapMethods("/state", ["POST", "PUT"], context => Handle(context, runtime, async (type, id) =>
        {
            await runtime.TransactStateAsync(appId, type, id, await ReadBodyAsync(context), context.RequestAborted);
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }));

        actors.MapMethods("/reminders/{name}", ["POST", "PUT"], context => Handle(context, runtime, async (type, id) =>
        {
            runtime.CreateReminder(appId, type, id, Route(context, "name"), await ReadBodyAsync(context));
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }));

        actors.MapGet("/reminders/{name}", context => Handle(context, runtime, async (type, id) =>
        {
            var reminder = runtime.GetReminder(appId, type, id, Route(context, "name"));
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(reminder, context.RequestAborted);
        }));

        actors.MapDelete("/reminders/{name}", context => Handle(context, runtime, (type, id) =>
        {
            runtime.DeleteReminder(appId, type, id, Route(context, "name"));
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        }));

        actors.MapMethods("/timers/{name}", ["POST", "PUT"], context => Handle(context, runtime, async (type, id) =>
        {
            runtime.CreateTimer(appId, type, id, Route(context, "name"), await ReadBodyAsync(context));
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }));

        actors.MapDelete("/timers/{name}", context => Handle(context, runtime, (type, id) =>
        {
            runtime.DeleteTimer(type, id, Route(context, "name"));
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        }));

        // Everything else of the actor API (bulk state, the alpha reminder listing, …) fails
        // loudly rather than looking like a daprd that has no such route.
        RequestDelegate unsupported = context => WriteErrorAsync(
            context,
            ActorApiException.NotSupported($"{context.Request.Method} {context.Request.Path}"));
        routes.Map("/v1.0/actors", unsupported);
        routes.Map("/v1.0/actors/{**rest}", unsupported);
        routes.Map("/v1.0-alpha1/actors/{**rest}", unsupported);
        return routes;
    }

    private static async Task Handle(HttpContext context, ActorRuntime runtime, Func<string, string, Task> handler)
    {
        try
        {
            if (runtime.IsClosed)
            {
                throw ActorApiException.RuntimeClosed();
            }

            await handler(Route(context, "actorType"), Route(context, "actorId"));
        }
        catch (ActorApiException ex)
        {
            await WriteErrorAsync(context, ex);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // The runtime stopped under the call.
            await WriteErrorAsync(context, ActorApiException.RuntimeClosed());
        }
    }

    private static async Task WriteErrorAsync(HttpContext context, ActorApiException error)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = error.StatusCode;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteString("errorCode", error.ErrorCode);
        writer.WriteString("message", error.Message);
        writer.WriteEndObject();
    }

    private static string Route(HttpContext context, string name) =>
        context.Request.RouteValues[name] as string ?? "";

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        return buffer.ToArray();
    }
}
