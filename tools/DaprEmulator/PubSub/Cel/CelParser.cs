using System.Globalization;
using System.Text;

namespace DaprEmulator.PubSub.Cel;

// Recursive-descent parser of the CEL subset, with CEL's precedence: || < && < == != < ! < member.
internal sealed class CelParser(string text)
{
    private int _pos;

    public Node ParseExpression() => ParseOr();

    public void ExpectEnd()
    {
        SkipSpace();
        if (_pos < text.Length)
        {
            throw Unsupported($"'{text[_pos..]}'");
        }
    }

    private Node ParseOr()
    {
        var left = ParseAnd();
        while (TryConsume("||"))
        {
            left = new Binary("||", left, ParseAnd());
        }

        return left;
    }

    private Node ParseAnd()
    {
        var left = ParseRelation();
        while (TryConsume("&&"))
        {
            left = new Binary("&&", left, ParseRelation());
        }

        return left;
    }

    private Node ParseRelation()
    {
        var left = ParseUnary();
        while (true)
        {
            if (TryConsume("=="))
            {
                left = new Binary("==", left, ParseUnary());
            }
            else if (TryConsume("!="))
            {
                left = new Binary("!=", left, ParseUnary());
            }
            else
            {
                return left;
            }
        }
    }

    private Node ParseUnary()
    {
        SkipSpace();
        if (Peek() == '!' && Peek(1) != '=')
        {
            _pos++;
            return new Not(ParseUnary());
        }

        return ParseMember();
    }

    private Node ParseMember()
    {
        var node = ParsePrimary();
        while (true)
        {
            SkipSpace();
            if (Peek() != '.')
            {
                return node;
            }

            _pos++;
            var name = ReadIdentifier() ?? throw Unsupported("a '.' not followed by a field name");
            SkipSpace();
            if (Peek() == '(')
            {
                if (name != "startsWith")
                {
                    throw Unsupported($"the function '{name}()'");
                }

                _pos++;
                var argument = ParseExpression();
                SkipSpace();
                if (Peek() != ')')
                {
                    throw Unsupported("startsWith() with more than one argument");
                }

                _pos++;
                node = new StartsWith(node, argument);
            }
            else
            {
                node = new Select(node, name);
            }
        }
    }

    private Node ParsePrimary()
    {
        SkipSpace();
        var c = Peek();
        if (c == '(')
        {
            _pos++;
            var inner = ParseExpression();
            SkipSpace();
            if (Peek() != ')')
            {
                throw Unsupported("an unclosed '('");
            }

            _pos++;
            return inner;
        }

        if (c is '"' or '\'')
        {
            return new Literal(ReadString());
        }

        if (char.IsAsciiDigit(c))
        {
            return new Literal(ReadNumber());
        }

        var ident = ReadIdentifier();
        switch (ident)
        {
            case null:
                throw Unsupported(_pos < text.Length ? $"'{text[_pos..]}'" : "an incomplete expression");
            case "true":
                return new Literal(true);
            case "false":
                return new Literal(false);
            case "null":
                return new Literal(null);
            case "in":
                throw Unsupported("the 'in' operator");
        }

        SkipSpace();
        if (Peek() == '(')
        {
            throw Unsupported($"the function '{ident}()'");
        }

        return new Ident(ident);
    }

    private string ReadString()
    {
        var quote = text[_pos++];
        var sb = new StringBuilder();
        while (_pos < text.Length && text[_pos] != quote)
        {
            var c = text[_pos++];
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }

            if (_pos >= text.Length)
            {
                break;
            }

            var e = text[_pos++];
            sb.Append(e switch
            {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                '\\' or '"' or '\'' => e,
                _ => throw Unsupported($"the escape sequence '\\{e}'"),
            });
        }

        if (_pos >= text.Length)
        {
            throw Unsupported("an unterminated string literal");
        }

        _pos++;
        return sb.ToString();
    }

    private object ReadNumber()
    {
        var start = _pos;
        while (_pos < text.Length && (char.IsAsciiDigit(text[_pos]) || text[_pos] == '.'))
        {
            _pos++;
        }

        if (_pos < text.Length && char.IsAsciiLetter(text[_pos]))
        {
            throw Unsupported($"the numeric literal '{text[start..(_pos + 1)]}'");
        }

        var literal = text[start.._pos];
        return literal.Contains('.', StringComparison.Ordinal)
            ? double.Parse(literal, CultureInfo.InvariantCulture)
            : long.Parse(literal, CultureInfo.InvariantCulture);
    }

    private string? ReadIdentifier()
    {
        SkipSpace();
        var start = _pos;
        while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '_') &&
               (_pos > start || !char.IsAsciiDigit(text[_pos])))
        {
            _pos++;
        }

        return _pos > start ? text[start.._pos] : null;
    }

    private bool TryConsume(string token)
    {
        SkipSpace();
        if (string.CompareOrdinal(text, _pos, token, 0, token.Length) != 0)
        {
            return false;
        }

        _pos += token.Length;
        return true;
    }

    private char Peek(int offset = 0) => _pos + offset < text.Length ? text[_pos + offset] : '\0';

    private void SkipSpace()
    {
        while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
        {
            _pos++;
        }
    }

    private CelNotSupportedException Unsupported(string what) => new(text, what);
}
