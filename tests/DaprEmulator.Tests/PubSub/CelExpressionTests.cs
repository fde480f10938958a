using System.Text.Json.Nodes;
using DaprEmulator.PubSub.Cel;

namespace DaprEmulator.Tests.PubSub;

// The CEL subset of routing rules, evaluated like cel-go over the CloudEvent map.
public sealed class CelExpressionTests
{
    private static readonly JsonObject Event = (JsonObject)JsonNode.Parse("""
        {"type":"OrderPaid.v1","source":"order-command","data":{"amount":100,"currency":"EUR","paid":true,"note":null}}
        """)!;

    [Theory]
    [InlineData("event.type == \"OrderPaid.v1\"", true)]
    [InlineData("event.type != 'OrderPaid.v1'", false)]
    [InlineData("event.type.startsWith(\"OrderPaid\")", true)]
    [InlineData("event.data.amount == 100", true)]
    [InlineData("event.data.amount == 100.0", true)]
    [InlineData("event.data.amount == \"100\"", false)]
    [InlineData("event.data.paid && event.source == \"order-command\"", true)]
    [InlineData("!event.data.paid || event.data.currency == \"EUR\"", true)]
    [InlineData("!(event.data.currency == \"EUR\")", false)]
    [InlineData("event.data.note == null", true)]
    [InlineData("false && event.missing == 1", false)]
    [InlineData("true || event.missing == 1", true)]
    public void Evaluates_the_supported_subset(string expression, bool expected) =>
        Assert.Equal(expected, CelExpression.Parse(expression).Matches(Event));

    [Theory]
    [InlineData("event.missing == 1", "no such key: missing")]
    [InlineData("event.type", "was not a boolean")]
    [InlineData("other.type == \"x\"", "no such attribute")]
    [InlineData("true && event.missing == 1", "no such key: missing")]
    public void Evaluation_errors_are_reported_like_cel(string expression, string expected)
    {
        var error = Assert.Throws<CelEvaluationException>(() => CelExpression.Parse(expression).Matches(Event));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("event.data.amount > 5")]
    [InlineData("size(event.data) == 4")]
    [InlineData("event.type.endsWith(\"v1\")")]
    [InlineData("event.type in [\"a\"]")]
    [InlineData("event.data[\"amount\"] == 100")]
    public void Syntax_outside_the_subset_fails_naming_the_expression(string expression)
    {
        var error = Assert.Throws<CelNotSupportedException>(() => CelExpression.Parse(expression));

        Assert.Contains($"`{expression}`", error.Message, StringComparison.Ordinal);
    }
}
