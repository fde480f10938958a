namespace OrderDapr.Command.Actors;

public sealed class OrderOptions
{
    // How long a placed order may stay unpaid before it is cancelled with reason payment-timeout.
    public TimeSpan PaymentDeadline { get; set; } = TimeSpan.FromMinutes(30);
}
