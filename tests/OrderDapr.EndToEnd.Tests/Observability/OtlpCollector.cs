using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrderDapr.EndToEnd.Tests.Observability.Otlp;

namespace OrderDapr.EndToEnd.Tests.Observability;

// One span as an OTLP exporter sent it: the service it came from (resource attribute service.name),
// its ids in hex, name, kind and attributes.
public sealed record CollectedSpan(
    string Service, string TraceId, string SpanId, string ParentSpanId, string Name, Span.Types.SpanKind Kind, IReadOnlyDictionary<string, string> Attributes)
{
    public string? Attribute(string key) => Attributes.GetValueOrDefault(key);
}

// A collector as the services' OTLP exporters see one: OTLP over HTTP with protobuf bodies on
// loopback. It keeps every span it receives; metrics are accepted and dropped.
public sealed class OtlpCollector : IAsyncDisposable
{
    private readonly ConcurrentQueue<CollectedSpan> spans = new();
    private WebApplication? app;

    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyList<CollectedSpan> Spans => [.. spans];

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        app = builder.Build();
        app.MapPost("/v1/traces", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            Collect(ExportTraceServiceRequest.Parser.ParseFrom(body.ToArray()));
            return Results.Bytes(new ExportTraceServiceResponse().ToByteArray(), "application/x-protobuf");
        });
        app.MapPost("/v1/metrics", () => Results.Bytes([], "application/x-protobuf"));
        await app.StartAsync();
        Endpoint = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    private void Collect(ExportTraceServiceRequest request)
    {
        foreach (var resource in request.ResourceSpans)
        {
            var service = resource.Resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value.StringValue ?? "";
            foreach (var span in resource.ScopeSpans.SelectMany(s => s.Spans))
            {
                spans.Enqueue(new CollectedSpan(
                    service, Hex(span.TraceId), Hex(span.SpanId), Hex(span.ParentSpanId), span.Name, span.Kind,
                    span.Attributes.GroupBy(a => a.Key).ToDictionary(g => g.Key, g => Text(g.Last().Value))));
            }
        }
    }

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);

    private static string Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "",
    };

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }
}
