using Dapr.Client;
using OrderDapr.Contracts;

namespace OrderDapr.Query.Rebuild;

// order-command's GET /streams through Dapr service invocation: the sidecar finds order-command,
// and the sidecars add the API tokens on the way.
public sealed class DaprStreamSource(HttpClient orderCommand) : IStreamSource
{
    public const string OrderCommandAppId = "order-command";

    public static DaprStreamSource Create() => new(DaprClient.CreateInvokeHttpClient(OrderCommandAppId));

    public async Task<StreamPage> ReadPageAsync(string? after, int limit, CancellationToken cancellationToken)
    {
        var query = after is null
            ? FormattableString.Invariant($"?limit={limit}")
            : FormattableString.Invariant($"?limit={limit}&after={Uri.EscapeDataString(after)}");
        using var response = await orderCommand.GetAsync($"{StreamPages.Route}{query}", cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException(
                $"{OrderCommandAppId} answered GET {StreamPages.Route} with {(int)response.StatusCode}: {body[..Math.Min(body.Length, 500)]}",
                null, response.StatusCode);
        }

        return await response.Content.ReadFromJsonAsync<StreamPage>(EventSerializer.Options, cancellationToken) is { Streams: not null } page
            ? page
            : throw new InvalidDataException($"{OrderCommandAppId} answered GET {StreamPages.Route} without streams.");
    }
}
