using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.OpenApi;
using OrderDapr.Command.Http;
using OrderDapr.Command.Tests.Hosting;

namespace OrderDapr.Command.Tests;

// The constraints /openapi/v1.json states for each command body are the ones the app enforces:
// for every constraint, a body just inside it passes validation and one just outside is refused
// naming the field. Bodies go to an order that does not exist, so a body that passes validation
// is answered 404 (201 for a placement) and nothing else changes.
public sealed class ApiBodyConstraintTests
{
    // Strings a pattern is tried on, each either side of some documented pattern.
    private static readonly string[] PatternProbes = ["USD", "usd", "US", "a b", "a\u0001b", "a\u007Fb", "é"];

    [Theory]
    [InlineData("PlaceOrder")]
    [InlineData("PayOrder")]
    [InlineData("ShipOrder")]
    [InlineData("CancelOrder")]
    public async Task A_body_passes_validation_exactly_when_the_document_says_it_may(string operation)
    {
        await using var host = await CommandHost.StartAsync();
        var api = await DocumentedApi.FetchAsync(host.Public);
        var probe = new ApiProbe(host.Public, api);
        var schema = api.Operations[operation].Operation.RequestBody!.Content![JsonBody.ContentType].Schema!;
        var valid = JsonNode.Parse(ApiProbe.ValidBody(operation)!)!.AsObject();

        var cases = Variations(schema, valid, "").ToList();
        Assert.NotEmpty(cases);
        foreach (var (field, body, allowed) in cases)
        {
            var (status, answer) = await probe.SendAsync(operation, Guid.NewGuid().ToString(), body.ToJsonString());
            var what = $"{operation} with {Shorten(body.ToJsonString())}";
            if (allowed)
            {
                Assert.True(status != 400, $"{what} was refused, though the document allows it: {answer}");
            }
            else
            {
                Assert.True(status == 400, $"{what} was answered {status}, though the document does not allow {field}");
                var problem = answer!.Value;
                Assert.True(
                    problem.GetProperty("code").GetString() == "body-invalid"
                    || (problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _)),
                    $"{what} was refused without naming {field}: {problem}");
            }
        }
    }

    // (field, body, allowed): the valid body changed at one field, to either side of each
    // constraint the schema states on it.
    private static IEnumerable<(string Field, JsonObject Body, bool Allowed)> Variations(IOpenApiSchema schema, JsonObject valid, string prefix)
    {
        if (schema.AdditionalPropertiesAllowed == false)
        {
            yield return ("unexpected", With(valid, "unexpected", JsonValue.Create(1)), false);
        }

        foreach (var (name, property) in schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
        {
            var field = prefix + name;
            if (schema.Required?.Contains(name) == true)
            {
                var without = valid.DeepClone().AsObject();
                without.Remove(name);
                yield return (field, without, false);
            }

            foreach (var (value, allowed) in Values(property, valid[name]))
            {
                yield return (field, With(valid, name, value), allowed);
            }

            if (property.Items is { Properties: not null } item && valid[name] is JsonArray { Count: > 0 } array)
            {
                foreach (var (itemField, itemBody, allowed) in Variations(item, array[0]!.AsObject(), $"{field}[0]."))
                {
                    yield return (itemField, With(valid, name, new JsonArray(itemBody)), allowed);
                }
            }
        }
    }

    // Values of one property either side of its documented bounds.
    private static IEnumerable<(JsonNode? Value, bool Allowed)> Values(IOpenApiSchema property, JsonNode? sample)
    {
        if (property.Type == JsonSchemaType.String)
        {
            if (property.MaxLength is { } max)
            {
                yield return (new string('a', max), true);
                yield return (new string('a', max + 1), false);
            }

            if (property.MinLength is { } min and > 0)
            {
                yield return (new string('a', min - 1), false);
            }

            if (property.Pattern is { } pattern)
            {
                foreach (var probe in PatternProbes.Where(p => p.Length >= (property.MinLength ?? 0)))
                {
                    yield return (probe, Regex.IsMatch(probe, pattern) && !Forbidden(property, probe));
                }
            }

            foreach (var forbidden in property.Not?.Enum ?? [])
            {
                yield return (forbidden.DeepClone(), false);
            }
        }
        else if (property.Type is JsonSchemaType.Integer or JsonSchemaType.Number)
        {
            var step = property.Type == JsonSchemaType.Integer ? 1m : property.MultipleOf ?? 1m;
            if (property.Minimum is { } min)
            {
                yield return (Number(Parse(min)), true);
                yield return (Number(Parse(min) - step), false);
            }

            if (property.ExclusiveMinimum is { } exclusive)
            {
                yield return (Number(Parse(exclusive)), false);
                yield return (Number(Parse(exclusive) + step), true);
            }

            if (property.Maximum is { } max)
            {
                yield return (Number(Parse(max)), true);
                yield return (Number(Parse(max) + step), false);
            }

            if (property.MultipleOf is { } multiple && sample is not null)
            {
                yield return (Number(sample.GetValue<decimal>() + (multiple / 10)), false);
            }
        }
        else if (property.Type == JsonSchemaType.Array && sample is JsonArray { Count: > 0 } items)
        {
            if (property.MinItems is { } min and > 0)
            {
                yield return (Repeat(items[0]!, min - 1), false);
            }

            if (property.MaxItems is { } max)
            {
                yield return (Repeat(items[0]!, max), true);
                yield return (Repeat(items[0]!, max + 1), false);
            }
        }
    }

    private static bool Forbidden(IOpenApiSchema property, string value) =>
        (property.Not?.Enum ?? []).Any(e => e.GetValue<string>() == value);

    private static JsonObject With(JsonObject body, string name, JsonNode? value)
    {
        var changed = body.DeepClone().AsObject();
        changed[name] = value;
        return changed;
    }

    private static JsonArray Repeat(JsonNode item, int count) => [.. Enumerable.Range(0, count).Select(_ => item.DeepClone())];

    private static JsonValue Number(decimal value) => JsonValue.Create(value);

    private static decimal Parse(string value) => decimal.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static string Shorten(string json) => json.Length <= 120 ? json : json[..120] + "…";
}
