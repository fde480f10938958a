using System.Text;
using GraphQL;
using GraphQL.Types;
using GraphQLParser.AST;
using Microsoft.Extensions.DependencyInjection;
using OrderDapr.Query.Tests.Fixtures;
using OrderDapr.Testing;

namespace OrderDapr.Query.Tests;

// src/OrderDapr.Query/schema.graphql is the contract frontends build against: the served schema
// must equal it, and say what everything means.
public sealed class SchemaContractTests : IDisposable
{
    public const string UpdateVariable = "ORDERDAPR_UPDATE_SCHEMA";
    private const string ContractFile = "src/OrderDapr.Query/schema.graphql";

    private static readonly string[] BuiltInScalars = ["String", "Boolean", "Int", "Float", "ID"];

    private readonly GraphQLFixture graphQL = new();

    public void Dispose() => graphQL.Dispose();

    private ISchema Schema
    {
        get
        {
            var schema = graphQL.Services.GetRequiredService<ISchema>();
            schema.Initialize();
            return schema;
        }
    }

    private string Served => Schema.Print().ReplaceLineEndings("\n").Trim() + "\n";

    [Fact]
    public void The_served_schema_is_the_checked_in_contract()
    {
        var path = ContractPath();
        var served = Served;
        var contract = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "";
        if (served == contract)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, served);
            return;
        }

        Assert.Fail($"""
            The schema order-query serves differs from {ContractFile} (- in the file, + served):

            {SchemaDiff.Lines(contract, served)}
            {SchemaDiff.Removals(contract, served)}
            If the change is intended, update the file and commit it with the change:

              {UpdateVariable}=1 dotnet test tests/OrderDapr.Query.Tests --filter "FullyQualifiedName~SchemaContractTests"

            Frontends build against it: add, and deprecate (@deprecated, DeprecationReason in the code) instead of removing or renaming.
            """);
    }

    [Fact]
    public void Every_type_field_argument_and_enum_value_says_what_it_is()
    {
        var undescribed = new List<string>();
        foreach (var type in Schema.AllTypes.Where(t => !t.Name.StartsWith("__", StringComparison.Ordinal) && !BuiltInScalars.Contains(t.Name)))
        {
            Check(type.Name, type.Description);
            if (type is IComplexGraphType complex)
            {
                foreach (var field in complex.Fields)
                {
                    Check($"{type.Name}.{field.Name}", field.Description);
                    foreach (var argument in field.Arguments ?? [])
                    {
                        Check($"{type.Name}.{field.Name}({argument.Name})", argument.Description);
                    }
                }
            }

            if (type is EnumerationGraphType enumeration)
            {
                foreach (var value in enumeration.Values)
                {
                    Check($"{type.Name}.{value.Name}", value.Description);
                }
            }
        }

        Assert.True(undescribed.Count == 0, $"Without a description: {string.Join(", ", undescribed)}");

        void Check(string what, string? description)
        {
            if (string.IsNullOrWhiteSpace(description))
            {
                undescribed.Add(what);
            }
        }
    }

    [Fact]
    public void The_limits_of_a_request_are_part_of_the_contract()
    {
        var query = Schema.Query.Description!;
        var first = Schema.Query.GetField("orders")!.Arguments!.Find("first")!.Description!;

        Assert.Contains($"{Query.GraphQL.GraphQLExecution.MaxDepth} levels", query, StringComparison.Ordinal);
        Assert.Contains("5,000", query, StringComparison.Ordinal);
        Assert.Contains($"0 to {Query.GraphQL.QueryType.MaxFirst}", first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_introspection_query_of_GraphiQL_stays_within_the_limits()
    {
        var response = await graphQL.Execute(GraphiQLIntrospection);

        Assert.False(response.TryGetProperty("errors", out var errors), errors.ToString());
        var schema = response.GetProperty("data").GetProperty("__schema");
        Assert.Equal("Subscription", schema.GetProperty("subscriptionType").GetProperty("name").GetString());

        // What GraphiQL builds its docs from: directives with their arguments, fields with theirs.
        var deprecated = schema.GetProperty("directives").EnumerateArray().Single(d => d.GetProperty("name").GetString() == "deprecated");
        Assert.Equal(["reason"], deprecated.GetProperty("args").EnumerateArray().Select(a => a.GetProperty("name").GetString()));
        var query = schema.GetProperty("types").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "Query");
        var orders = query.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "orders");
        Assert.Equal(["customerId", "status", "placedAfter", "placedBefore", "first", "after"],
            orders.GetProperty("args").EnumerateArray().Select(a => a.GetProperty("name").GetString()));
        Assert.All(orders.GetProperty("args").EnumerateArray(), a => Assert.False(a.GetProperty("isDeprecated").GetBoolean()));
    }

    [Fact]
    public async Task Without_the_deprecated_ones_a_directive_lists_the_same_arguments()
    {
        var response = await graphQL.Execute("""
            {
              __schema {
                directives { name all: args(includeDeprecated: true) { name } current: args(includeDeprecated: false) { name } plain: args { name } }
              }
            }
            """);

        Assert.False(response.TryGetProperty("errors", out var errors), errors.ToString());
        Assert.All(response.GetProperty("data").GetProperty("__schema").GetProperty("directives").EnumerateArray(), directive =>
        {
            var all = directive.GetProperty("all").GetRawText();
            Assert.Equal(all, directive.GetProperty("current").GetRawText());
            Assert.Equal(all, directive.GetProperty("plain").GetRawText());
        });
    }

    [Fact]
    public void GraphiQL_asks_for_deprecated_arguments_and_the_schema_description()
    {
        var start = File.ReadAllText(Path.Combine(Repository.Root, "src/OrderDapr.Query/wwwroot/graphiql/start.js"));

        // The options that make GraphiQL send GraphiQLIntrospection.
        Assert.Contains("inputValueDeprecation: true,", start, StringComparison.Ordinal);
        Assert.Contains("schemaDescription: true,", start, StringComparison.Ordinal);
    }

    private static string ContractPath() => Path.Combine(Repository.Root, ContractFile);

    // What GraphiQL sends to load the schema: the bundled graphql-js 16 getIntrospectionQuery with
    // the options start.js passes (inputValueDeprecation, schemaDescription; see
    // GraphiQL_asks_for_deprecated_arguments_and_the_schema_description), as the bundle's template
    // makes it. Only the whitespace differs: lines left blank by options not set are empty here.
    // GraphiQL sends it again without `subscriptionType` when the first answer has no `data`.
    public const string GraphiQLIntrospection = """
        query IntrospectionQuery {
          __schema {
            description
            queryType { name }
            mutationType { name }
            subscriptionType { name }
            types {
              ...FullType
            }
            directives {
              name
              description

              locations
              args(includeDeprecated: true) {
                ...InputValue
              }
            }
          }
        }

        fragment FullType on __Type {
          kind
          name
          description


          fields(includeDeprecated: true) {
            name
            description
            args(includeDeprecated: true) {
              ...InputValue
            }
            type {
              ...TypeRef
            }
            isDeprecated
            deprecationReason
          }
          inputFields(includeDeprecated: true) {
            ...InputValue
          }
          interfaces {
            ...TypeRef
          }
          enumValues(includeDeprecated: true) {
            name
            description
            isDeprecated
            deprecationReason
          }
          possibleTypes {
            ...TypeRef
          }
        }

        fragment InputValue on __InputValue {
          name
          description
          type { ...TypeRef }
          defaultValue
          isDeprecated
          deprecationReason
        }

        fragment TypeRef on __Type {
          kind
          name
          ofType {
            kind
            name
            ofType {
              kind
              name
              ofType {
                kind
                name
                ofType {
                  kind
                  name
                  ofType {
                    kind
                    name
                    ofType {
                      kind
                      name
                      ofType {
                        kind
                        name
                        ofType {
                          kind
                          name
                          ofType {
                            kind
                            name
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
        """;
}

// A readable difference of two SDL texts.
public static class SchemaDiff
{
    // The lines of `before` missing from `after` (-) and the new ones (+), in order, with a line of context around each change.
    public static string Lines(string before, string after)
    {
        var a = before.Split('\n');
        var b = after.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var lines = new List<(char Mark, string Text)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                lines.Add((' ', a[x++]));
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                lines.Add(('+', b[y++]));
            }
            else
            {
                lines.Add(('-', a[x++]));
            }
        }

        var shown = new StringBuilder();
        for (var k = 0; k < lines.Count; k++)
        {
            var near = Enumerable.Range(Math.Max(0, k - 1), Math.Min(lines.Count, k + 2) - Math.Max(0, k - 1)).Any(n => lines[n].Mark != ' ');
            if (near)
            {
                shown.Append(lines[k].Mark).Append(' ').AppendLine(lines[k].Text);
            }
        }

        return shown.ToString();
    }

    // Types, fields, arguments and enum values of `before` that `after` lacks.
    public static string Removals(string before, string after)
    {
        var removed = Elements(before).Except(Elements(after), StringComparer.Ordinal).ToList();
        return removed.Count == 0
            ? ""
            : $"Removed, though clients may use them: {string.Join(", ", removed)}. Deprecate them instead.\n";
    }

    private static HashSet<string> Elements(string sdl)
    {
        var elements = new HashSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(sdl))
        {
            return elements;
        }

        foreach (var definition in GraphQLParser.Parser.Parse(sdl).Definitions.OfType<GraphQLTypeDefinition>())
        {
            var type = definition.Name.StringValue;
            elements.Add(type);
            var fields = definition switch
            {
                GraphQLObjectTypeDefinition o => o.Fields?.Items ?? [],
                GraphQLInterfaceTypeDefinition i => i.Fields?.Items ?? [],
                _ => [],
            };
            foreach (var field in fields)
            {
                elements.Add($"{type}.{field.Name.StringValue}");
                foreach (var argument in field.Arguments?.Items ?? [])
                {
                    elements.Add($"{type}.{field.Name.StringValue}({argument.Name.StringValue})");
                }
            }

            if (definition is GraphQLEnumTypeDefinition enumeration)
            {
                foreach (var value in enumeration.Values?.Items ?? [])
                {
                    elements.Add($"{type}.{value.Name.StringValue}");
                }
            }
        }

        return elements;
    }
}
