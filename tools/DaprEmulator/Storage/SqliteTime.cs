using System.Globalization;

namespace DaprEmulator.Storage;

// Times in the SQLite file: UTC text to the 100 ns ('2026-01-01 00:00:00.0000000'), which SQLite's
// date functions read and which sorts as it compares.
public static class SqliteTime
{
    private const string Format = "yyyy-MM-dd HH:mm:ss.fffffff";

    public static string ToText(DateTimeOffset time) => time.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text) =>
        new(DateTime.SpecifyKind(DateTime.ParseExact(text, Format, CultureInfo.InvariantCulture), DateTimeKind.Utc));
}
