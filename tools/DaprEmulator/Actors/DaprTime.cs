using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DaprEmulator.GoFormats;

namespace DaprEmulator.Actors;

// A period as daprd parses it (dapr/kit time.ParseDuration): an ISO 8601 duration, optionally with
// repetitions (R5/PT1S), or a Go duration ("0h0m5s0ms", the format Dapr.Actors writes).
// Repeats is -1 for "no limit".
internal readonly record struct DaprPeriod(int Years, int Months, int Days, TimeSpan Duration, int Repeats)
{
    // No period: the callback is called once.
    public static DaprPeriod None => new(0, 0, 0, TimeSpan.Zero, -1);

    public bool IsZero => Years == 0 && Months == 0 && Days == 0 && Duration == TimeSpan.Zero;

    public DateTimeOffset Following(DateTimeOffset t) => t.AddYears(Years).AddMonths(Months).AddDays(Days).Add(Duration);
}

internal static partial class DaprTime
{
    // dapr/kit time.ParseISO8601Duration, including its leniency: characters it does not know
    // (digits aside) are skipped, as daprd skips them.
    public static bool TryParseIso8601(string from, out DaprPeriod period)
    {
        period = default;
        int years = 0, months = 0, days = 0, repetition = -1;
        var duration = TimeSpan.Zero;
        var l = from.Length;
        if (l < 2)
        {
            return false;
        }

        var i = 0;
        if (from[0] == 'R')
        {
            do
            {
                i++;
            }
            while (i < l && from[i] != '/');

            if (i - 1 < 1 || !int.TryParse(from.AsSpan(1, i - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out repetition))
            {
                return false;
            }

            i++;
            if (i >= l)
            {
                period = new DaprPeriod(0, 0, 0, TimeSpan.Zero, repetition);
                return true;
            }
        }

        if (from[i] != 'P')
        {
            return false;
        }

        i++;
        var start = i;
        var inTime = false;
        for (; i < l; i++)
        {
            var c = from[i];
            if (c == 'T')
            {
                if (start != i)
                {
                    return false;
                }

                inTime = true;
                start = i + 1;
                continue;
            }

            if (c is not ('Y' or 'W' or 'D' or 'H' or 'S' or 'M'))
            {
                continue;
            }

            var inDatePart = c is 'Y' or 'W' or 'D';
            var inTimePart = c is 'H' or 'S';
            if ((inDatePart && inTime) || (inTimePart && !inTime) || start == i
                || !int.TryParse(from.AsSpan(start, i - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            switch (c)
            {
                case 'Y': years = n; break;
                case 'W': days += n * 7; break;
                case 'D': days += n; break;
                case 'H': duration += TimeSpan.FromHours(n); break;
                case 'S': duration += TimeSpan.FromSeconds(n); break;
                case 'M' when inTime: duration += TimeSpan.FromMinutes(n); break;
                case 'M': months = n; break;
            }

            start = i + 1;
        }

        period = new DaprPeriod(years, months, days, duration, repetition);
        return true;
    }

    // dapr/kit time.ParseDuration: ISO 8601 first, then a Go duration (no repetitions).
    public static bool TryParsePeriod(string from, out DaprPeriod period)
    {
        if (TryParseIso8601(from, out period))
        {
            return true;
        }

        if (GoDuration.TryParse(from, out var duration))
        {
            period = new DaprPeriod(0, 0, 0, duration, -1);
            return true;
        }

        return false;
    }

    // dapr/kit time.ParseTime: an ISO 8601 or Go duration added to offset, or an RFC 3339 time.
    public static DateTimeOffset ParseTime(string from, DateTimeOffset offset)
    {
        if (TryParseIso8601(from, out var iso))
        {
            if (iso.Repeats != -1)
            {
                throw new FormatException("repetitions are not allowed");
            }

            return iso.Following(offset);
        }

        if (GoDuration.TryParse(from, out var duration))
        {
            return offset.Add(duration);
        }

        if (TryParseRfc3339(from, out var time))
        {
            return time;
        }

        throw new FormatException("unsupported time/duration format: " + from);
    }

    public static bool TryParseRfc3339(string value, out DateTimeOffset time)
    {
        time = default;
        var match = Rfc3339().Match(value);
        if (!match.Success)
        {
            return false;
        }

        var fraction = match.Groups["fraction"].Success ? match.Groups["fraction"].Value[1..] : "";
        var ticks = fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(7, '0')[..7], CultureInfo.InvariantCulture);
        var zone = match.Groups["zone"].Value;
        var offset = zone is "Z" or "z"
            ? TimeSpan.Zero
            : TimeSpan.ParseExact(zone[1..], @"hh\:mm", CultureInfo.InvariantCulture) * (zone[0] == '-' ? -1 : 1);
        try
        {
            var local = new DateTime(
                int.Parse(match.Groups["y"].Value, CultureInfo.InvariantCulture),
                int.Parse(match.Groups["mo"].Value, CultureInfo.InvariantCulture),
                int.Parse(match.Groups["d"].Value, CultureInfo.InvariantCulture),
                int.Parse(match.Groups["h"].Value, CultureInfo.InvariantCulture),
                int.Parse(match.Groups["mi"].Value, CultureInfo.InvariantCulture),
                int.Parse(match.Groups["s"].Value, CultureInfo.InvariantCulture),
                DateTimeKind.Unspecified).AddTicks(ticks);
            time = new DateTimeOffset(local, offset).ToUniversalTime();
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    // Go's time.RFC3339Nano layout, the format daprd stores reminder times in.
    public static string FormatRfc3339Nano(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        var text = utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        var fraction = utc.Ticks % TimeSpan.TicksPerSecond;
        if (fraction != 0)
        {
            text += "." + fraction.ToString("D7", CultureInfo.InvariantCulture).TrimEnd('0');
        }

        return text + "Z";
    }

    // Go's time.Duration.String ("1h0m0s", "1.5s", "500ms"), as in a Scheduler "@every" schedule.
    public static string FormatGoDuration(TimeSpan duration)
    {
        var ns = (decimal)duration.Ticks * 100;
        if (ns == 0)
        {
            return "0s";
        }

        var sign = ns < 0 ? "-" : "";
        ns = Math.Abs(ns);
        if (ns < 1_000_000_000)
        {
            return ns switch
            {
                < 1_000 => $"{sign}{ns.ToString(CultureInfo.InvariantCulture)}ns",
                < 1_000_000 => $"{sign}{Fraction(ns / 1_000m)}\u00b5s",
                _ => $"{sign}{Fraction(ns / 1_000_000m)}ms",
            };
        }

        var builder = new StringBuilder(sign);
        var totalSeconds = ns / 1_000_000_000m;
        var hours = decimal.Truncate(totalSeconds / 3600);
        var minutes = decimal.Truncate((totalSeconds - (hours * 3600)) / 60);
        var seconds = totalSeconds - (hours * 3600) - (minutes * 60);
        if (hours > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{hours}h");
        }

        if (hours > 0 || minutes > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{minutes}m");
        }

        return builder.Append(Fraction(seconds)).Append('s').ToString();

        static string Fraction(decimal value) => value.ToString("0.#########", CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^(?<y>\d{4})-(?<mo>\d{2})-(?<d>\d{2})[Tt](?<h>\d{2}):(?<mi>\d{2}):(?<s>\d{2})(?<fraction>\.\d{1,9})?(?<zone>[Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();
}
