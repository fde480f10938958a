namespace OrderDapr.Query.GraphQL;

public sealed class ReadYourWritesOptions
{
    public const string Section = "ReadYourWrites";

    // A request holds a connection and a hub registration while it waits: bounded, whatever is configured.
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    // How long `order(atLeastVersion:)` waits for the version before answering with what it has.
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(3);
}
