using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using OrderDapr.Command.StreamIndex;
using OrderDapr.Contracts;

namespace OrderDapr.Command.Http;

// GET /streams?after={cursor}&limit={n}: every order stream, a page at a time, for order-query to
// rebuild its read model from (through Dapr service invocation, so only the sidecar calls it).
public static class StreamPageEndpoints
{
    public static RouteHandlerBuilder MapStreamPages(this IEndpointRouteBuilder routes) =>
        routes.MapGet(StreamPages.Route, ReadAsync);

    private static async Task<IResult> ReadAsync(HttpRequest request, StreamPageReader reader)
    {
        var limit = StreamPages.MaxLimit;
        if (request.Query.TryGetValue("limit", out var rawLimit)
            && !(rawLimit.Count == 1 && int.TryParse(rawLimit.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out limit)
                 && limit is >= 1 and <= StreamPages.MaxLimit))
        {
            return Problems.Create(ProblemCatalogue.LimitInvalid,
                $"limit must be a whole number from 1 to {StreamPages.MaxLimit}.");
        }

        StreamCursor? after = null;
        if (request.Query.TryGetValue("after", out var rawAfter)
            && !(rawAfter.Count == 1 && StreamCursor.TryParse(rawAfter.ToString(), out after)))
        {
            return CursorInvalid();
        }

        var page = await reader.ReadAsync(after, limit, request.HttpContext.RequestAborted);
        return page is null ? CursorInvalid() : TypedResults.Ok(page);
    }

    private static ProblemHttpResult CursorInvalid() =>
        Problems.Create(ProblemCatalogue.CursorInvalid,
            "after must be a nextCursor this service returned, passed back unchanged.");
}
