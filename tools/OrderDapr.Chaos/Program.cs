using System.Globalization;
using OrderDapr.Chaos;

// dotnet run -c Release --project tools/OrderDapr.Chaos -- [--orders N] [--clients N] [--restarts N] [--faults duplicate,reorder,failure] [--seed N]
const string Usage = """
    OrderDapr chaos run: starts the Dapr emulator (in this process, injecting faults) and both services (as processes),
    drives orders through their lifecycle while killing and restarting the services, then checks every order.

    Options (defaults in brackets):
      --orders N          orders driven [28000, about 100,000 events]
      --clients N         concurrent clients [32]
      --customers N       customers the orders are spread over [200]
      --restarts N        SIGKILLs (and restarts) of each service [3]
      --faults D,R,F      probabilities of duplicate delivery, reordered delivery, transient failure [0.2,0.2,0.1]
      --seed N            seed of the fault injection [7]
    Exit code 0 when nothing was lost, applied twice or left divergent; 1 otherwise.
    """;

var options = new ChaosOptions();
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        int Number() => int.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture);
        options = args[i] switch
        {
            "--orders" => options with { Orders = Number() },
            "--clients" => options with { Clients = Number() },
            "--customers" => options with { Customers = Number() },
            "--restarts" => options with { RestartsPerService = Number() },
            "--seed" => options with { Faults = options.Faults with { Seed = Number() } },
            "--faults" => Value().Split(',') is [var d, var r, var f]
                ? options with { Faults = options.Faults with { DuplicateDelivery = Probability(d), ReorderDelivery = Probability(r), TransientFailure = Probability(f) } }
                : throw new ArgumentException("--faults takes three probabilities: duplicate,reorder,failure"),
            "--help" or "-h" => throw new OperationCanceledException(),
            var other => throw new ArgumentException($"unknown option {other}"),
        };
    }
}
catch (OperationCanceledException)
{
    Console.WriteLine(Usage);
    return 0;
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine($"{e.Message}\n\n{Usage}");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var report = await ChaosRun.RunAsync(options, Console.Out, cancel.Token);
report.Print(Console.Out);
return report.Passed ? 0 : 1;

static double Probability(string text) =>
    double.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) is var p and >= 0 and <= 1
        ? p
        : throw new ArgumentException($"{text} is not a probability between 0 and 1");
