using System.Net;
using OrderDapr.EndToEnd.Tests.Fixtures;

namespace OrderDapr.EndToEnd.Tests.Orders;

[Collection(nameof(RunningSystem))]
public sealed class ConcurrentCommands(OrderSystem system)
{
    // Which event may follow which: the order's state machine, as a client sees it.
    private static readonly Dictionary<string, string[]> Follows = new()
    {
        ["OrderCreated.v2"] = ["OrderPaid.v1", "OrderCancelled.v1"],
        ["OrderPaid.v1"] = ["OrderShipped.v1", "OrderCancelled.v1"],
        ["OrderShipped.v1"] = ["OrderDelivered.v1"],
        ["OrderDelivered.v1"] = [],
        ["OrderCancelled.v1"] = [],
    };

    [Fact]
    public async Task Racing_conflicting_commands_leave_a_valid_stream_with_every_success_stored_and_published()
    {
        var orderId = await system.Commands.PlaceAsync($"c-{Guid.NewGuid():N}");

        var racing = Enumerable.Range(0, 24).Select(i => (i % 4) switch
        {
            0 => system.Commands.PayAsync(orderId, 19.98m, $"pay-{i}"),
            1 => system.Commands.CancelAsync(orderId, $"reason-{i}"),
            2 => system.Commands.ShipAsync(orderId, $"track-{i}"),
            _ => system.Commands.DeliverAsync(orderId),
        });
        var answers = await Task.WhenAll(racing);

        Assert.All(answers, a => Assert.True(
            a.Status is HttpStatusCode.OK or HttpStatusCode.Conflict, $"unexpected {(int)a.Status}: {a.Body}"));
        var stream = (await system.Commands.GetAsync($"/orders/{orderId}/events")).Body.GetProperty("events").EnumerateArray().ToList();
        var types = stream.Select(e => e.GetProperty("type").GetString()!).ToList();
        Assert.Equal("OrderCreated.v2", types[0]);
        for (var i = 1; i < types.Count; i++)
        {
            Assert.Contains(types[i], Follows[types[i - 1]]);
        }

        Assert.Equal(Enumerable.Range(1, stream.Count), stream.Select(e => e.GetProperty("version").GetInt32()));
        var successes = answers.Where(a => a.Status == HttpStatusCode.OK).Select(a => a.Version).Order().ToList();
        Assert.Equal(Enumerable.Range(2, stream.Count - 1), successes);

        var published = await system.EventuallyPublishedAsync(orderId, stream.Count);
        Assert.Equal(
            stream.Select(e => e.GetProperty("eventId").GetString()).Order(),
            published.Select(e => e.GetProperty("data").GetProperty("eventId").GetString()).Order());
    }

    [Fact]
    public async Task A_command_with_a_stale_if_match_is_a_412_and_changes_nothing()
    {
        var orderId = await system.Commands.PlaceAsync($"c-{Guid.NewGuid():N}");
        var paid = await system.Commands.PayAsync(orderId, 19.98m, ifMatch: "\"1\"");
        Assert.Equal(HttpStatusCode.OK, paid.Status);
        Assert.Equal("\"2\"", paid.Header("ETag"));
        await system.EventuallyPublishedAsync(orderId, 2);

        var stale = await system.AssertChangesNothingAsync(() => system.Commands.CancelAsync(orderId, ifMatch: "\"1\""));
        var malformed = await system.AssertChangesNothingAsync(() => system.Commands.CancelAsync(orderId, ifMatch: "yesterday"));
        var current = await system.Commands.CancelAsync(orderId, ifMatch: "\"2\"");

        Assert.Equal((HttpStatusCode.PreconditionFailed, "version-mismatch"), (stale.Status, stale.ProblemCode));
        Assert.Equal(2, stale.Body.GetProperty("currentVersion").GetInt32());
        Assert.Equal((HttpStatusCode.BadRequest, "if-match-invalid"), (malformed.Status, malformed.ProblemCode));
        Assert.Equal((HttpStatusCode.OK, 3), (current.Status, current.Version));
    }
}
