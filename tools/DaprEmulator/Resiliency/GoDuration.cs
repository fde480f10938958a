using System.Globalization;

namespace DaprEmulator.Resiliency;

// Go's time.ParseDuration: the format every Dapr duration field uses ("500ms", "1m30s", "2h").
public static class GoDuration
{
    private static readonly (string Unit, double Ticks)[] Units =
    [
        ("ns", 0.01), ("us", 10), ("µs", 10), ("μs", 10), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    public static TimeSpan Parse(string text)
    {
        var s = text.Trim();
        var sign = 1;
        if (s.StartsWith('-') || s.StartsWith('+'))
        {
            sign = s[0] == '-' ? -1 : 1;
            s = s[1..];
        }

        if (s == "0")
        {
            return TimeSpan.Zero;
        }

        if (s.Length == 0)
        {
            throw new FormatException($"time: invalid duration \"{text}\"");
        }

        double ticks = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (start == i)
            {
                throw new FormatException($"time: invalid duration \"{text}\"");
            }

            var number = double.Parse(s[start..i], CultureInfo.InvariantCulture);
            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            var unit = s[unitStart..i];
            var match = Units.FirstOrDefault(u => u.Unit == unit);
            if (match.Unit is null)
            {
                throw new FormatException(unit.Length == 0
                    ? $"time: missing unit in duration \"{text}\""
                    : $"time: unknown unit \"{unit}\" in duration \"{text}\"");
            }

            ticks += number * match.Ticks;
        }

        return TimeSpan.FromTicks((long)(sign * ticks));
    }
}
