using System.Reflection;
using Dapr.Client;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.OpenApi;
using OrderDapr.Command.Domain;
using OrderDapr.Command.EventStore;
using OrderDapr.Command.Http;
using OrderDapr.Command.Tests.Hosting;
using OrderDapr.Testing;

namespace OrderDapr.Command.Tests;

// /openapi/v1.json held to the code: the operations it lists, the problems the catalogue and the
// decider hold, and every answer the running app gives (provoked over HTTP) against the statuses,
// codes and headers documented for its operation — and back: every one documented is given.
public sealed class ApiDocumentTests
{
    private const string IdempotencyKeyHeader = "Idempotency-Key";

    private static readonly string[] PublicOperations =
    [
        "POST /orders",
        "POST /orders/{orderId}/pay",
        "POST /orders/{orderId}/ship",
        "POST /orders/{orderId}/deliver",
        "POST /orders/{orderId}/cancel",
        "GET /orders/{orderId}",
        "GET /orders/{orderId}/events",
    ];

    private static readonly Dictionary<string, Type> CommandOf = new()
    {
        ["PlaceOrder"] = typeof(PlaceOrder),
        ["PayOrder"] = typeof(PayOrder),
        ["ShipOrder"] = typeof(ShipOrder),
        ["DeliverOrder"] = typeof(DeliverOrder),
        ["CancelOrder"] = typeof(CancelOrder),
    };

    // Answered only on the routes only the sidecar may call (/streams, the actor routes).
    private static readonly string[] SidecarOnlyCodes = ["sidecar-only", "limit-invalid", "cursor-invalid"];

    [Fact]
    public async Task The_document_is_openapi_3_with_the_public_operations_and_no_sidecar_route()
    {
        await using var host = await CommandHost.StartAsync();

        var api = await DocumentedApi.FetchAsync(host.Public);

        Assert.True(api.Read.Diagnostic?.SpecificationVersion is OpenApiSpecVersion.OpenApi3_0 or OpenApiSpecVersion.OpenApi3_1,
            $"OpenAPI {api.Read.Diagnostic?.SpecificationVersion}");
        Assert.Empty(api.Document.Validate(ValidationRuleSet.GetDefaultRuleSet()) ?? []);
        Assert.Equal(PublicOperations.Order(), api.Operations.Values.Select(o => $"{o.Method.Method.ToUpperInvariant()} {o.Path}").Order());
    }

    [Fact]
    public async Task Every_catalogued_problem_and_every_refusal_is_documented_under_its_status()
    {
        await using var host = await CommandHost.StartAsync();
        var api = await DocumentedApi.FetchAsync(host.Public);
        var documented = api.Operations.Values.SelectMany(o => o.Codes.SelectMany(s => s.Value.Select(code => (Status: s.Key, Code: code)))).ToHashSet();
        var catalogue = typeof(ProblemCatalogue).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.GetValue(null))
            .OfType<ProblemType>()
            .ToList();

        Assert.All(catalogue.Where(p => !SidecarOnlyCodes.Contains(p.Code)), p => Assert.Contains((p.Status, p.Code), documented));
        Assert.All(catalogue.Where(p => SidecarOnlyCodes.Contains(p.Code)), p => Assert.DoesNotContain(p.Code, documented.Select(d => d.Code)));
        foreach (var (operation, command) in CommandOf)
        {
            var codes = api.Operations[operation].Codes;
            var refusals = OrderDecider.Refusals[command].Select(ProblemCatalogue.Refusal).ToList();
            Assert.All(refusals, r => Assert.Contains(r.Code, codes.GetValueOrDefault(r.Status) ?? new HashSet<string>()));
            Assert.Equal(refusals.Where(r => r.Status == StatusCodes.Status409Conflict).Select(r => r.Code).Order(), codes[StatusCodes.Status409Conflict].Order());
        }

        var known = catalogue.Select(p => p.Code).Concat(OrderDecider.Refusals.Values.SelectMany(codes => codes)).ToHashSet();
        Assert.All(documented, d => Assert.Contains(d.Code, known));
    }

    [Fact]
    public async Task Every_answer_of_every_operation_is_documented_for_it_and_every_documented_answer_is_given()
    {
        var answers = new List<Answer>();
        DocumentedApi api;
        await using (var host = await CommandHost.StartAsync())
        {
            api = await DocumentedApi.FetchAsync(host.Public);
            var probe = new ApiProbe(host.Public, api);
            await ProvokePlacingAsync(probe, host.App.Services.GetRequiredService<OrderStreamStore>());
            foreach (var operation in new[] { "PayOrder", "ShipOrder", "DeliverOrder", "CancelOrder" })
            {
                await ProvokeCommandAsync(probe, operation);
            }

            await ProvokeReadingAsync(probe);
            answers.AddRange(probe.Answers);
        }

        await using (var broken = await CommandHost.StartAsync(new CommandHostOptions { Services = WithUnreachableStore }))
        {
            var probe = new ApiProbe(broken.Public, api);
            foreach (var operation in api.Operations.Keys)
            {
                var (status, _) = await probe.SendAsync(operation, Guid.NewGuid().ToString(), ApiProbe.ValidBody(operation));
                Assert.Equal(StatusCodes.Status500InternalServerError, status);
            }

            answers.AddRange(probe.Answers);
        }

        foreach (var operation in api.Operations.Values)
        {
            var given = answers.Where(a => a.Operation == operation.Id).ToList();
            Assert.Equal(operation.Statuses.Order(), given.Select(a => a.Status).Distinct().Order());
            foreach (var (status, codes) in operation.Codes)
            {
                Assert.Equal(codes.Order(), given.Where(a => a.Status == status).Select(a => a.Code!).Distinct().Order());
            }

            foreach (var (status, headers) in operation.SuccessHeaders)
            {
                Assert.Equal(
                    headers.Select(h => h.ToLowerInvariant()).Order(),
                    given.Where(a => a.Status == status).SelectMany(a => a.Headers).Select(h => h.ToLowerInvariant()).Distinct().Order());
            }
        }
    }

    private static async Task ProvokePlacingAsync(ApiProbe probe, OrderStreamStore streams)
    {
        const string place = "PlaceOrder";
        await probe.SendAsync(place, body: ApiProbe.PlaceBody);
        var key = NewKey();
        await probe.SendAsync(place, body: ApiProbe.PlaceBody, headers: (IdempotencyKeyHeader, key));
        await probe.SendAsync(place, body: ApiProbe.PlaceBody, headers: (IdempotencyKeyHeader, key));
        await probe.SendAsync(place, body: ApiProbe.PlaceBody.Replace("c-1", "c-2", StringComparison.Ordinal), headers: (IdempotencyKeyHeader, key));
        await probe.SendAsync(place, body: ApiProbe.PlaceBody, headers: (IdempotencyKeyHeader, "not a key"));
        await ProvokeBodyAsync(probe, place, orderId: null);

        // A stream already where this key's placement goes, without the key: only a collision of
        // order ids could do this in earnest.
        await StoredStreams.CreateAsync(streams, IdempotencyKey.OrderIdFor("taken"));
        await probe.SendAsync(place, body: ApiProbe.PlaceBody, headers: (IdempotencyKeyHeader, "taken"));
    }

    private static async Task ProvokeCommandAsync(ApiProbe probe, string operation)
    {
        var valid = ApiProbe.ValidBody(operation);
        var created = await probe.OrderInAsync(OrderStatus.Created);
        await probe.SendAsync(operation, "not-a-guid", valid);
        await probe.SendAsync(operation, Guid.NewGuid().ToString(), valid);
        await probe.SendAsync(operation, created, valid, headers: ("If-Match", "3"));
        await probe.SendAsync(operation, created, valid, headers: ("If-Match", "\"7\""));
        await probe.SendAsync(operation, created, valid, headers: (IdempotencyKeyHeader, "not a key"));
        await ProvokeBodyAsync(probe, operation, created);

        // The key that placed the order, sent with another command to it.
        var key = NewKey();
        await probe.SendAsync(operation, await probe.OrderInAsync(OrderStatus.Created, key), valid, headers: (IdempotencyKeyHeader, key));

        foreach (var status in Enum.GetValues<OrderStatus>().Where(s => s != OrderStatus.None))
        {
            var orderId = await probe.OrderInAsync(status);
            // A payment of the wrong amount first: the right one would leave the order paid.
            string?[] bodies = operation == "PayOrder" ? [valid!.Replace("19.98", "19.97", StringComparison.Ordinal), valid] : [valid];
            foreach (var body in bodies)
            {
                // Twice with one key: the second is a replay of the first (success or not).
                var repeated = NewKey();
                var (first, _) = await probe.SendAsync(operation, orderId, body, headers: (IdempotencyKeyHeader, repeated));
                var (again, _) = await probe.SendAsync(operation, orderId, body, headers: (IdempotencyKeyHeader, repeated));
                Assert.Equal(first, again);
            }
        }
    }

    private static async Task ProvokeBodyAsync(ApiProbe probe, string operation, string? orderId)
    {
        await probe.SendAsync(operation, orderId);
        await probe.SendAsync(operation, orderId, "hello", contentType: "text/plain");
        await probe.SendAsync(operation, orderId, "{");
        await probe.SendAsync(operation, orderId, """{"unknown":1}""");
        await probe.SendAsync(operation, orderId, "{}");
        await probe.SendAsync(operation, orderId, $$"""{"reason":"{{new string('x', (int)JsonBody.MaxBytes)}}"}""");
    }

    private static async Task ProvokeReadingAsync(ApiProbe probe)
    {
        var orderId = await probe.OrderInAsync(OrderStatus.Paid);
        foreach (var operation in new[] { "GetOrder", "GetOrderEvents" })
        {
            await probe.SendAsync(operation, "not-a-guid");
            await probe.SendAsync(operation, Guid.NewGuid().ToString());
            await probe.SendAsync(operation, orderId);
        }

        foreach (var version in new[] { "1", "2", "0", "abc", "3" })
        {
            await probe.SendAsync("GetOrder", orderId, query: $"?version={version}");
        }
    }

    // Every call to the sidecar's state and publish APIs fails, as with the store down.
    private static void WithUnreachableStore(IServiceCollection services)
    {
        var nowhere = $"http://127.0.0.1:{FreePort.Next()}";
        services.Replace(ServiceDescriptor.Singleton(_ => new DaprClientBuilder().UseGrpcEndpoint(nowhere).UseHttpEndpoint(nowhere).Build()));
    }

    private static string NewKey() => Guid.NewGuid().ToString("N");
}
