namespace OrderDapr.Command.Actors;

public sealed class OrderOptions
{
    // How long a placed order may stay unpaid before it is cancelled with reason payment-timeout.
    public TimeSpan PaymentDeadline { get; set; } = TimeSpan.FromMinutes(30);

    // How often the deadline is tried again until it has done its work: daprd's Scheduler drops a
    // trigger whose callback failed 3 times, 1 s apart (its default failure policy), and
    // Dapr.Actors cannot register a reminder with another policy, so the reminder repeats.
    public TimeSpan PaymentDeadlineRetryPeriod { get; set; } = TimeSpan.FromMinutes(1);
}
