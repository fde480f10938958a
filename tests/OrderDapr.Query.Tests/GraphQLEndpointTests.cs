using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OrderDapr.Query.GraphQL;
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
}
