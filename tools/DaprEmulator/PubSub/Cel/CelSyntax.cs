namespace DaprEmulator.PubSub.Cel;

// The syntax tree of a parsed routing rule.
internal abstract record Node;

internal sealed record Literal(object? Value) : Node;

internal sealed record Ident(string Name) : Node;

internal sealed record Select(Node Target, string Field) : Node;

internal sealed record StartsWith(Node Target, Node Argument) : Node;

internal sealed record Not(Node Operand) : Node;

internal sealed record Binary(string Op, Node Left, Node Right) : Node;
