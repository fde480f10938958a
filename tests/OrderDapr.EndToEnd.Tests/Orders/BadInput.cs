using System.Net;
using System.Net.Sockets;
using System.Text;
using OrderDapr.EndToEnd.Tests.Fixtures;

namespace OrderDapr.EndToEnd.Tests.Orders;

[Collection(nameof(RunningSystem))]
public sealed class BadInput(OrderSystem system)
{
    public static TheoryData<string, string> InvalidOrders => new()
    {
        { """{"items":[{"productId":"p-1","quantity":2,"unitPrice":9.99}]}""", "customerId" },
        { """{"customerId":"c-1","items":[]}""", "items" },
        { """{"customerId":"c-1"}""", "items" },
        { """{"customerId":"c-1","items":[{"productId":"p-1","quantity":0,"unitPrice":9.99}]}""", "items[0].quantity" },
        { """{"customerId":"c-1","items":[{"productId":"p-1","quantity":1,"unitPrice":-1}]}""", "items[0].unitPrice" },
        { """{"customerId":"c-1","items":[{"productId":"","quantity":1,"unitPrice":1}]}""", "items[0].productId" },
    };

    public static TheoryData<string> MalformedBodies => new()
    {
        """{"customerId":"c-1","items":[{"productId":"p-1","quantity":"two","unitPrice":9.99}]}""",
        """{"customerId":42,"items":[{"productId":"p-1","quantity":2,"unitPrice":9.99}]}""",
        """{"customerId":"c-1","items":{"productId":"p-1"}}""",
        """{"customerId":"c-1","items":[{"productId":"p-1","quantity":2.5,"unitPrice":9.99}]}""",
        """{"customerId":"c-1","items":[{"productId":"p-1","quantity":2,"unitPrice":9.99}],"discount":100}""",
        """{"customerId":"c-1","items":[""",
        "not json at all",
        "[]",
        "null",
    };

    [Theory]
    [MemberData(nameof(InvalidOrders))]
    public async Task An_invalid_order_is_a_400_naming_the_field_and_changes_nothing(string body, string field)
    {
        var answer = await system.AssertChangesNothingAsync(() => system.Commands.PlaceRawAsync(body));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("application/problem+json", answer.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("validation-failed", answer.ProblemCode);
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {answer.Body}");
    }

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task A_malformed_body_is_a_400_problem_and_changes_nothing(string body)
    {
        var answer = await system.AssertChangesNothingAsync(() => system.Commands.PlaceRawAsync(body));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("application/problem+json", answer.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(400, answer.Body.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_415_problem()
    {
        var answer = await system.AssertChangesNothingAsync(() =>
            system.Commands.SendAsync(HttpMethod.Post, "/orders", OrderApi.SampleOrder, contentType: "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, answer.Status);
        Assert.Equal("unsupported-media-type", answer.ProblemCode);
    }

    [Fact]
    public async Task A_malformed_command_on_an_existing_order_changes_nothing()
    {
        var orderId = await system.Commands.PlaceAsync($"c-{Guid.NewGuid():N}");
        await system.EventuallyPublishedAsync(orderId, 1);

        var answer = await system.AssertChangesNothingAsync(() =>
            system.Commands.SendAsync(HttpMethod.Post, $"/orders/{orderId}/pay", """{"amount":"19.98","paymentId":"p"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(1, (await system.Commands.GetAsync($"/orders/{orderId}")).Body.GetProperty("version").GetInt32());
    }

    // A body whose chunked framing breaks partway (here a chunk size that is not hexadecimal) is the
    // client's error: a 400 problem, not a 500, and nothing is placed. (A client that sends less than
    // its Content-Length and closes is answered the same way, though it is no longer there to read it.)
    [Fact]
    public async Task A_body_whose_framing_breaks_is_a_400_problem_and_changes_nothing()
    {
        var answer = "";
        await system.AssertChangesNothingAsync(async () =>
        {
            using var client = new TcpClient();
            await client.ConnectAsync(system.CommandBaseAddress.Host, system.CommandBaseAddress.Port);
            var stream = client.GetStream();
            var request = $"POST /orders HTTP/1.1\r\nHost: {system.CommandBaseAddress.Authority}\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n14\r\n" + OrderApi.SampleOrder[..20] + "\r\nzz\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
            using var reader = new StreamReader(stream, Encoding.UTF8);
            answer = await reader.ReadToEndAsync();
        });

        Assert.StartsWith("HTTP/1.1 400 ", answer, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/problem+json", answer, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"code\":\"body-invalid\"", answer, StringComparison.Ordinal);
    }
}
