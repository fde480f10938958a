using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrderDapr.Observability.Telemetry;

namespace OrderDapr.Command.Telemetry;

// order-command's own spans and metrics (OpenTelemetry exports them: see TelemetryRegistration).
public static class CommandTelemetry
{
    public const string Name = "OrderDapr.Command";

    public static readonly ServiceTelemetry Service = new("order-command", Name, Name);

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    // Commands answered, by command (the endpoint's name: PlaceOrder, PayOrder, …) and outcome.
    public static readonly Counter<long> Commands = Meter.CreateCounter<long>(
        "orderdapr.commands", unit: "{command}", description: "Order commands answered, by command and outcome.");
}
