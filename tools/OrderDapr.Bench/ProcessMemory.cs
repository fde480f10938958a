using System.Globalization;

namespace OrderDapr.Bench;

// The resident memory of the system's processes, found by the program they run: the emulator
// (DaprEmulator), order-command (OrderDapr.Command) and order-query (OrderDapr.Query), whether
// started as an apphost or as `dotnet X.dll`. Read from /proc, so Linux only.
public sealed class ProcessMemory
{
    public static readonly string[] Programs = ["DaprEmulator", "OrderDapr.Command", "OrderDapr.Query"];

    // Program → (seconds since the start, RSS in MB) samples.
    public Dictionary<string, List<(double At, double Mb)>> Samples { get; } =
        Programs.ToDictionary(p => p, _ => new List<(double, double)>(), StringComparer.Ordinal);

    public void Sample(double at)
    {
        foreach (var (program, mb) in Read())
        {
            Samples[program].Add((at, mb));
        }
    }

    public static Dictionary<string, double> Read()
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!OperatingSystem.IsLinux())
        {
            return result;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                continue;
            }

            try
            {
                var args = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
                if (ProgramOf(args) is not { } program)
                {
                    continue;
                }

                var rssLine = File.ReadLines(Path.Combine(dir, "status")).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                if (rssLine is not null)
                {
                    var kb = long.Parse(rssLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                    result[program] = result.GetValueOrDefault(program) + (kb / 1024.0);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // the process ended while being read
            }
        }

        return result;
    }

    private static string? ProgramOf(string[] args)
    {
        if (args.Length == 0)
        {
            return null;
        }

        var first = Path.GetFileName(args[0]);
        var name = first is "dotnet" && args.Length > 1 && args[1].EndsWith(".dll", StringComparison.Ordinal)
            ? Path.GetFileNameWithoutExtension(args[1])
            : first;
        return Programs.FirstOrDefault(p => p == name);
    }
}
