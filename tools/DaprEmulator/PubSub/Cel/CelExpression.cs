using System.Text.Json.Nodes;

namespace DaprEmulator.PubSub.Cel;

// The subset of CEL (github.com/google/cel-go, as dapr pkg/expr compiles subscription rules) that
// routing rules use: field paths on `event`, string/number/bool/null literals, ==, !=, &&, ||, !,
// parentheses and .startsWith("..."). Anything else fails when the subscription is loaded, naming
// the expression, rather than routing differently from real Dapr.
// Evaluation follows CEL: a missing key is an error, && and || absorb errors when the other side
// decides the result, numbers compare across int and double, other mixed types are not equal.
public sealed class CelExpression
{
    private readonly Node _root;

    private CelExpression(string text, Node root)
    {
        Text = text;
        _root = root;
    }

    public string Text { get; }

    public static CelExpression Parse(string text)
    {
        var parser = new CelParser(text);
        var root = parser.ParseExpression();
        parser.ExpectEnd();
        return new CelExpression(text, root);
    }

    // dapr pkg/runtime/subscription matchRoutingRule: the result must be a boolean.
    public bool Matches(JsonObject cloudEvent)
    {
        var result = Evaluate(_root, cloudEvent);
        return result switch
        {
            bool b => b,
            CelError e => throw new CelEvaluationException(e.Message),
            _ => throw new CelEvaluationException($"the result of match expression {Text} was not a boolean"),
        };
    }

    private static object? Evaluate(Node node, JsonObject cloudEvent) => node switch
    {
        Literal l => l.Value,
        Ident { Name: "event" } => cloudEvent,
        Ident i => new CelError($"no such attribute: id: {i.Name}"),
        Select s => SelectField(Evaluate(s.Target, cloudEvent), s.Field),
        StartsWith sw => StartsWithValue(Evaluate(sw.Target, cloudEvent), Evaluate(sw.Argument, cloudEvent)),
        Not n => Evaluate(n.Operand, cloudEvent) switch
        {
            bool b => !b,
            CelError e => e,
            _ => new CelError("no such overload: !_"),
        },
        Binary { Op: "&&" } b => Logical(Evaluate(b.Left, cloudEvent), Evaluate(b.Right, cloudEvent), decisive: false),
        Binary { Op: "||" } b => Logical(Evaluate(b.Left, cloudEvent), Evaluate(b.Right, cloudEvent), decisive: true),
        Binary { Op: "==" } b => Equal(Evaluate(b.Left, cloudEvent), Evaluate(b.Right, cloudEvent)),
        Binary { Op: "!=" } b => Equal(Evaluate(b.Left, cloudEvent), Evaluate(b.Right, cloudEvent)) switch
        {
            bool eq => !eq,
            var error => error,
        },
        _ => new CelError("unsupported expression"),
    };

    private static object? SelectField(object? target, string field) => target switch
    {
        CelError e => e,
        JsonObject obj when obj.TryGetPropertyValue(field, out var value) => FromJson(value),
        JsonObject => new CelError($"no such key: {field}"),
        _ => new CelError($"type '{TypeName(target)}' does not support field selection"),
    };

    private static object? StartsWithValue(object? target, object? argument) => (target, argument) switch
    {
        (CelError e, _) => e,
        (_, CelError e) => e,
        (string s, string prefix) => s.StartsWith(prefix, StringComparison.Ordinal),
        _ => new CelError("no such overload: startsWith"),
    };

    // CEL's commutative logic: for &&, false wins over an error; for ||, true wins over an error.
    private static object? Logical(object? left, object? right, bool decisive)
    {
        if (left is bool l && l == decisive)
        {
            return decisive;
        }

        if (right is bool r && r == decisive)
        {
            return decisive;
        }

        if (left is CelError le)
        {
            return le;
        }

        if (right is CelError re)
        {
            return re;
        }

        return left is bool && right is bool ? !decisive : new CelError(decisive ? "no such overload: _||_" : "no such overload: _&&_");
    }

    private static object? Equal(object? left, object? right)
    {
        if (left is CelError le)
        {
            return le;
        }

        if (right is CelError re)
        {
            return re;
        }

        return (left, right) switch
        {
            (null, null) => true,
            (long a, long b) => a == b,
            (long a, double b) => a == b,
            (double a, long b) => a == b,
            (double a, double b) => a == b,
            (string a, string b) => a == b,
            (bool a, bool b) => a == b,
            (JsonNode a, JsonNode b) => JsonNode.DeepEquals(a, b),
            _ => false,
        };
    }

    // A JSON value inside the event, as cel-go sees the map daprd json.Unmarshal'ed (numbers are float64).
    // The arms are typed object on purpose: JsonNode converts implicitly from string, bool and double,
    // so an untyped switch would turn the values back into JSON nodes.
    private static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject or JsonArray => (object)node,
        JsonValue v when v.TryGetValue<string>(out var s) => (object)s,
        JsonValue v when v.TryGetValue<bool>(out var b) => (object)b,
        JsonValue v when v.TryGetValue<double>(out var d) => (object)d,
        _ => (object)node,
    };

    private sealed record CelError(string Message);

    private static string TypeName(object? value) => value switch
    {
        null => "null_type",
        string => "string",
        bool => "bool",
        long => "int",
        double => "double",
        JsonArray => "list",
        _ => "dyn",
    };

}

public sealed class CelNotSupportedException(string expression, string what)
    : Exception($"routing rule match expression `{expression}` uses {what}, which the emulator's CEL subset does not support " +
        "(supported: event field paths, string/number/bool literals, ==, !=, &&, ||, !, parentheses, .startsWith(\"...\"))")
{
    public string Expression { get; } = expression;
}

public sealed class CelEvaluationException(string message) : Exception(message);
