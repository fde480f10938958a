using System.Globalization;

namespace DaprEmulator.GoFormats;

// Go's time.ParseDuration, [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ or "0": the format of Dapr's duration
// fields ("500ms", "1m30s", "2h"; Dapr.Actors writes "0h0m5s0ms"). Counted in nanoseconds as Go
// counts them, in decimal: in double "0.57ms" would come out a tick short.
public static class GoDuration
{
    private enum Fault
    {
        None,
        Invalid,
        MissingUnit,
        UnknownUnit,
    }

    public static bool TryParse(string text, out TimeSpan duration) => Read(text, out duration, out _) == Fault.None;

    // With time.ParseDuration's error message. Surrounding white space is forgiven (Go would
    // refuse it), as it always was for the component and resiliency values parsed here.
    public static TimeSpan Parse(string text) => Read(text.Trim(), out var duration, out var unit) switch
    {
        Fault.None => duration,
        Fault.MissingUnit => throw new FormatException($"time: missing unit in duration \"{text}\""),
        Fault.UnknownUnit => throw new FormatException($"time: unknown unit \"{unit}\" in duration \"{text}\""),
        _ => throw new FormatException($"time: invalid duration \"{text}\""),
    };

    private static Fault Read(string s, out TimeSpan duration, out string unit)
    {
        duration = default;
        unit = "";
        var neg = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            neg = s[0] == '-';
            s = s[1..];
        }

        if (s == "0")
        {
            return Fault.None;
        }

        if (s.Length == 0)
        {
            return Fault.Invalid;
        }

        decimal totalNs = 0;
        var i = 0;
        while (i < s.Length)
        {
            var numberStart = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            var hasInt = i > numberStart;
            var hasFraction = false;
            if (i < s.Length && s[i] == '.')
            {
                i++;
                var fractionStart = i;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    i++;
                }

                hasFraction = i > fractionStart;
            }

            if (!hasInt && !hasFraction)
            {
                return Fault.Invalid;
            }

            if (!decimal.TryParse(
                "0" + s[numberStart..i].TrimEnd('.'),
                NumberStyles.AllowDecimalPoint,
                CultureInfo.InvariantCulture,
                out var number))
            {
                return Fault.Invalid;
            }

            var unitStart = i;
            while (i < s.Length && s[i] != '.' && !char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            unit = s[unitStart..i];
            decimal? unitNs = unit switch
            {
                "ns" => 1m,
                "us" or "\u00b5s" or "\u03bcs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => null,
            };
            if (unitNs is null)
            {
                return unit.Length == 0 ? Fault.MissingUnit : Fault.UnknownUnit;
            }

            // More than int64 nanoseconds is an error in Go; checked before multiplying too,
            // where decimal would overflow.
            if (number > long.MaxValue / unitNs.Value)
            {
                return Fault.Invalid;
            }

            totalNs += number * unitNs.Value;
            if (totalNs > long.MaxValue)
            {
                return Fault.Invalid;
            }
        }

        duration = TimeSpan.FromTicks((long)decimal.Truncate(totalNs / 100m) * (neg ? -1 : 1));
        return Fault.None;
    }
}
