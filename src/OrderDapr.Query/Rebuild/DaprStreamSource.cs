using Dapr.Client;
using OrderDapr.Contracts;

namespace OrderDapr.Query.Rebuild;

// order-command's GET /streams through Dapr service invocation: the sidecar finds order-command,
// and the sidecars add the API tokens on the way.
public sealed class DaprStreamSource(HttpClient orderCommand) : IStreamSource
{
    public const string OrderCommandAppId = "order-command";

    // The token must be passed: CreateInvokeHttpClient sets the one it is given, null included,
    // over the DAPR_API_TOKEN default its handler starts with (dotnet-sdk InvocationHandler).
    public static DaprStreamSource Create(IConfiguration configuration) =>
        new(DaprClient.CreateInvokeHttpClient(OrderCommandAppId, daprApiToken: configuration["DAPR_API_TOKEN"]));

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
