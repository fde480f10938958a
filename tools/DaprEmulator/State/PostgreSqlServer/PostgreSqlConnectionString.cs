using System.Globalization;
using System.Text;
using Npgsql;

namespace DaprEmulator.State.PostgreSqlServer;

// The connectionString metadata of state.postgresql as pgx reads it (pgconn.ParseConfig): libpq
// keyword/value pairs ("host=localhost user=postgres port=5432 database=orderdapr", values
// optionally 'quoted') or a postgres:// URL; turned into Npgsql's form. Settings the emulator does
// not know are refused rather than ignored.
public static class PostgreSqlConnectionString
{
    public static string ToNpgsql(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder { Host = "localhost" };
        var settings = connectionString.StartsWith("postgres://", StringComparison.Ordinal) || connectionString.StartsWith("postgresql://", StringComparison.Ordinal)
            ? FromUrl(connectionString)
            : FromKeywords(connectionString);
        foreach (var (key, value) in settings)
        {
            Apply(builder, key, value);
        }

        return builder.ConnectionString;
    }

    private static void Apply(NpgsqlConnectionStringBuilder builder, string key, string value)
    {
        switch (key)
        {
            case "host":
                builder.Host = value;
                break;
            case "port":
                builder.Port = int.Parse(value, CultureInfo.InvariantCulture);
                break;
            case "user":
                builder.Username = value;
                break;
            case "password":
                builder.Password = value;
                break;
            case "dbname" or "database":
                builder.Database = value;
                break;
            case "sslmode":
                builder.SslMode = value switch
                {
                    "disable" => SslMode.Disable,
                    "allow" => SslMode.Allow,
                    "prefer" => SslMode.Prefer,
                    "require" => SslMode.Require,
                    "verify-ca" => SslMode.VerifyCA,
                    "verify-full" => SslMode.VerifyFull,
                    _ => throw new FormatException($"sslmode is invalid: {value}"),
                };
                break;
            case "connect_timeout":
                builder.Timeout = int.Parse(value, CultureInfo.InvariantCulture);
                break;
            default:
                throw new FormatException($"the emulator does not know the connection setting '{key}'");
        }
    }

    // key=value pairs separated by spaces; a value may be 'quoted' with \' and \\ escapes.
    private static IEnumerable<(string Key, string Value)> FromKeywords(string text)
    {
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i == text.Length)
            {
                yield break;
            }

            var equals = text.IndexOf('=', i);
            if (equals < 0)
            {
                throw new FormatException($"invalid dsn: missing '=' after '{text[i..]}'");
            }

            var key = text[i..equals].Trim();
            i = equals + 1;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var value = new StringBuilder();
            if (i < text.Length && text[i] == '\'')
            {
                i++;
                while (i < text.Length && text[i] != '\'')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    value.Append(text[i++]);
                }

                if (i == text.Length)
                {
                    throw new FormatException("invalid dsn: unterminated quoted string");
                }

                i++;
            }
            else
            {
                while (i < text.Length && !char.IsWhiteSpace(text[i]))
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    value.Append(text[i++]);
                }
            }

            yield return (key, value.ToString());
        }
    }

    private static IEnumerable<(string Key, string Value)> FromUrl(string text)
    {
        var url = new Uri(text);
        if (url.Host.Length > 0)
        {
            yield return ("host", url.Host);
        }

        if (!url.IsDefaultPort && url.Port > 0)
        {
            yield return ("port", url.Port.ToString(CultureInfo.InvariantCulture));
        }

        if (url.UserInfo.Length > 0)
        {
            var parts = url.UserInfo.Split(':', 2);
            yield return ("user", Uri.UnescapeDataString(parts[0]));
            if (parts.Length == 2)
            {
                yield return ("password", Uri.UnescapeDataString(parts[1]));
            }
        }

        if (url.AbsolutePath.Trim('/') is { Length: > 0 } database)
        {
            yield return ("database", Uri.UnescapeDataString(database));
        }

        foreach (var pair in url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            yield return (Uri.UnescapeDataString(kv[0]), kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "");
        }
    }
}
