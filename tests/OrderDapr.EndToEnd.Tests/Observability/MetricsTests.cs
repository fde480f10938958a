using System.Net;

namespace OrderDapr.EndToEnd.Tests.Observability;

// What an operator's Prometheus scrapes from GET /metrics of each service (no token needed).
[Collection(nameof(ObservedSystem))]
public sealed class MetricsTests(ObservedOrderSystem system)
{
    [Fact]
    public async Task The_command_counter_counts_each_answered_command_by_outcome()
    {
        var before = await PrometheusText.ScrapeAsync(system.CommandBaseAddress);

        var orderId = await system.Commands.PlaceAsync($"c-{Guid.NewGuid():N}");
        var refused = await system.Commands.PayAsync(orderId, 1.00m);
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);

        var after = await PrometheusText.ScrapeAsync(system.CommandBaseAddress);
        Assert.Equal(1, Delta("PlaceOrder", "accepted"));
        Assert.Equal(1, Delta("PayOrder", "refused"));
        Assert.Equal(0, Delta("PayOrder", "accepted"));

        double Delta(string command, string outcome) =>
            after.Sum("orderdapr_commands_total", ("command", command), ("outcome", outcome))
            - before.Sum("orderdapr_commands_total", ("command", command), ("outcome", outcome));
    }

    [Fact]
    public async Task The_projection_reports_events_projected_and_their_lag()
    {
        var before = await PrometheusText.ScrapeAsync(system.QueryBaseAddress);

        var orderId = await system.Commands.PlaceAsync($"c-{Guid.NewGuid():N}");
        await system.GraphQL.OrderWhereAsync(orderId, o => o.ValueKind == System.Text.Json.JsonValueKind.Object, "the order in the read model");

        var after = await PrometheusText.ScrapeAsync(system.QueryBaseAddress);
        Assert.True(after.Sum("orderdapr_projection_events_total", ("outcome", "applied")) > before.Sum("orderdapr_projection_events_total", ("outcome", "applied")),
            after.Text);
        Assert.True(after.Sum("orderdapr_projection_lag_seconds_count") > before.Sum("orderdapr_projection_lag_seconds_count"), after.Text);
        Assert.True(after.Sum("orderdapr_readmodel_staleness_seconds") >= 0, after.Text);
        Assert.Contains("orderdapr_readmodel_staleness_seconds", after.Text, StringComparison.Ordinal);
    }
}
