using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OrderDapr.Query.GraphQL.Http;
using OrderDapr.Query.Tests.Fixtures;
using static OrderDapr.Query.Tests.Fixtures.Given;

namespace OrderDapr.Query.Tests;

// GraphQL over HTTP as /graphql answers it, driven through the handler with an in-memory HttpContext.
public sealed class GraphQLEndpointTests : IDisposable
{
    private const string GraphQLResponse = "application/graphql-response+json";
    private readonly GraphQLFixture graphQL = new();

    public void Dispose() => graphQL.Dispose();

    private sealed record Answer(int Status, string ContentType, JsonElement Body, IHeaderDictionary Headers);

    private async Task<Answer> Send(string method, string? body = null, string? contentType = "application/json", string? accept = null, string? queryString = null, bool chunked = false)
    {
        var context = new DefaultHttpContext { RequestServices = graphQL.Services };
        context.Request.Method = method;
        context.Request.Path = "/graphql";
        context.Request.QueryString = new QueryString(queryString);
        context.Request.ContentType = contentType;
        if (accept is not null)
        {
            context.Request.Headers.Accept = accept;
        }

        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = chunked ? null : bytes.Length;
        }

        var response = new MemoryStream();
        context.Response.Body = response;

        await GraphQLEndpoint.HandleAsync(context);

        return new Answer(context.Response.StatusCode, context.Response.ContentType ?? "",
            JsonDocument.Parse(response.ToArray()).RootElement.Clone(), context.Response.Headers);
    }

    private static string Get(string query, string? variables = null, string? operationName = null) =>
        QueryString.Create(new Dictionary<string, string?> { ["query"] = query, ["variables"] = variables, ["operationName"] = operationName }
            .Where(p => p.Value is not null)).ToString();

    private static void AssertErrors(Answer answer) =>
        Assert.True(answer.Body.GetProperty("errors").GetArrayLength() > 0);

    [Fact]
    public async Task A_POSTed_query_is_answered_with_data_as_application_json()
    {
        await graphQL.Given(Event("order-1", 1, Created()));

        var answer = await Send("POST", """{"query":"query Q($id: ID!) { order(id: $id) { id total } }","variables":{"id":"order-1"},"operationName":"Q"}""");

        Assert.Equal(200, answer.Status);
        Assert.StartsWith("application/json", answer.ContentType, StringComparison.Ordinal);
        Assert.Equal(25.25m, answer.Body.GetProperty("data").GetProperty("order").GetProperty("total").GetDecimal());
    }

    [Fact]
    public async Task A_GET_query_with_variables_in_the_query_string_is_answered()
    {
        await graphQL.Given(Event("order-1", 1, Created()));

        var answer = await Send("GET", contentType: null, queryString: Get("query Q($id: ID!) { order(id: $id) { id } }", """{"id":"order-1"}""", "Q"));

        Assert.Equal(200, answer.Status);
        Assert.Equal("order-1", answer.Body.GetProperty("data").GetProperty("order").GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_mutation_over_GET_is_refused_with_405()
    {
        var answer = await Send("GET", contentType: null, queryString: Get("mutation { cancel }"));

        Assert.Equal(405, answer.Status);
        Assert.Equal("POST", answer.Headers.Allow.ToString());
        AssertErrors(answer);
    }

    [Fact]
    public async Task A_GET_without_query_is_a_bad_request()
    {
        var answer = await Send("GET", contentType: null);

        Assert.Equal(400, answer.Status);
        AssertErrors(answer);
    }

    [Fact]
    public async Task GET_variables_that_are_not_JSON_are_a_bad_request()
    {
        var answer = await Send("GET", contentType: null, queryString: Get("{ order(id: \"1\") { id } }", "{nope"));

        Assert.Equal(400, answer.Status);
        AssertErrors(answer);
    }

    [Theory]
    [InlineData("this is not json")]
    [InlineData("[1, 2]")]
    [InlineData("{}")]
    [InlineData("""{"query": ""}""")]
    [InlineData("""{"variables": {}}""")]
    public async Task A_body_that_is_not_a_JSON_request_with_a_query_is_a_bad_request(string body)
    {
        var answer = await Send("POST", body);

        Assert.Equal(400, answer.Status);
        AssertErrors(answer);
    }

    [Fact]
    public async Task A_body_that_is_not_declared_JSON_is_refused_as_unsupported_media()
    {
        var answer = await Send("POST", """{"query":"{ __typename }"}""", contentType: "text/plain");

        Assert.Equal(415, answer.Status);
        AssertErrors(answer);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_over_the_size_limit_is_refused(bool chunked)
    {
        var body = $$"""{"query":"{ __typename }","padding":"{{new string('x', GraphQLEndpoint.MaxBodyBytes)}}"}""";

        var answer = await Send("POST", body, chunked: chunked);

        Assert.Equal(413, answer.Status);
        AssertErrors(answer);
    }

    [Fact]
    public async Task A_validation_error_is_400_for_clients_accepting_graphql_response_json()
    {
        var answer = await Send("POST", """{"query":"{ noSuchField }"}""", accept: $"{GraphQLResponse}, application/json;q=0.9");

        Assert.Equal(400, answer.Status);
        Assert.StartsWith(GraphQLResponse, answer.ContentType, StringComparison.Ordinal);
        AssertErrors(answer);
        Assert.False(answer.Body.TryGetProperty("data", out _));
    }

    [Fact]
    public async Task A_validation_error_is_200_for_legacy_application_json_clients()
    {
        var answer = await Send("POST", """{"query":"{ noSuchField }"}""", accept: "application/json");

        Assert.Equal(200, answer.Status);
        Assert.StartsWith("application/json", answer.ContentType, StringComparison.Ordinal);
        AssertErrors(answer);
    }

    [Fact]
    public async Task A_syntax_error_is_400_for_clients_accepting_graphql_response_json()
    {
        var answer = await Send("POST", """{"query":"{ order(id: "}""", accept: GraphQLResponse);

        Assert.Equal(400, answer.Status);
        AssertErrors(answer);
    }

    [Fact]
    public async Task A_field_error_during_execution_is_still_200_with_graphql_response_json()
    {
        var answer = await Send("POST", """{"query":"{ orders(customerId: \"c\", first: 1000) { totalCount } }"}""", accept: GraphQLResponse);

        Assert.Equal(200, answer.Status);
        Assert.StartsWith(GraphQLResponse, answer.ContentType, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, answer.Body.GetProperty("data").ValueKind);
        AssertErrors(answer);
    }

    // A body that ends before the bytes it announced, as Kestrel reports it when the client goes away.
    private sealed class TruncatedBody() : MemoryStream(Encoding.UTF8.GetBytes("{\"query\":"))
    {
        private bool first = true;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (first)
            {
                first = false;
                return base.ReadAsync(buffer, cancellationToken);
            }

            throw new BadHttpRequestException("Unexpected end of request content.", StatusCodes.Status400BadRequest);
        }
    }

    [Fact]
    public async Task A_body_that_ends_early_is_the_clients_error()
    {
        var context = new DefaultHttpContext { RequestServices = graphQL.Services };
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = 100;
        context.Request.Body = new TruncatedBody();
        var response = new MemoryStream();
        context.Response.Body = response;

        await GraphQLEndpoint.HandleAsync(context);

        Assert.Equal(400, context.Response.StatusCode);
        Assert.StartsWith("application/problem+json", context.Response.ContentType, StringComparison.Ordinal);
        Assert.Equal("unreadable-body", JsonDocument.Parse(response.ToArray()).RootElement.GetProperty("code").GetString());
    }

    private static async Task<string> SendRawAsync(QueryHost host, string request, bool thenGoAway)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(host.Address.Host, host.Address.Port, TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), TestContext.Current.CancellationToken);
        if (thenGoAway)
        {
            client.Client.Shutdown(SocketShutdown.Send);
            try
            {
                return await new StreamReader(stream).ReadToEndAsync(TestContext.Current.CancellationToken);
            }
            catch (IOException)
            {
                return ""; // the server reset the connection of a client that left: no answer at all
            }
        }

        var answer = new StringBuilder();
        var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
        {
            answer.AppendLine(line);
            if (line.Contains("unreadable-body", StringComparison.Ordinal) || line.StartsWith("HTTP/1.1 5", StringComparison.Ordinal))
            {
                break;
            }
        }

        return answer.ToString();
    }

    // The request is over once the host logged it finished: whatever it logs about it comes before.
    private static async Task AssertFinishedWithoutErrorAsync(QueryHost host)
    {
        var finished = await host.LoggedAsync(e => e.Message.StartsWith("Request finished HTTP/1.1 POST", StringComparison.Ordinal), "the request finished");
        Assert.DoesNotContain(" 500 ", finished.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_body_that_breaks_its_framing_is_a_client_error_and_logs_no_error()
    {
        await using var host = await QueryHost.StartAsync();

        var answer = await SendRawAsync(host,
            "POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nnot-a-chunk-size\r\n",
            thenGoAway: false);

        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", answer, StringComparison.Ordinal);
        Assert.Contains("unreadable-body", answer, StringComparison.Ordinal);
        await AssertFinishedWithoutErrorAsync(host);
    }

    [Fact]
    public async Task A_client_that_goes_away_mid_body_gets_no_server_error_and_no_error_log()
    {
        await using var host = await QueryHost.StartAsync();

        var answer = await SendRawAsync(host,
            "POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\":",
            thenGoAway: true);

        // Kestrel either reports the short body or aborts the request: never a server error.
        Assert.False(answer.StartsWith("HTTP/1.1 5", StringComparison.Ordinal), answer);
        await AssertFinishedWithoutErrorAsync(host);
    }
}
