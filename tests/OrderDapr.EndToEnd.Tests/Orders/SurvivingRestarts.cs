using System.Net;
using OrderDapr.EndToEnd.Tests.Fixtures;

namespace OrderDapr.EndToEnd.Tests.Orders;

// Restarts and replicas of order-command, on a system of their own so that the other tests
// never see a service go away under them.
[Collection(nameof(RestartableSystem))]
public sealed class SurvivingRestarts(RestartableOrderSystem system)
{
    [Fact]
    public async Task An_idempotent_retry_after_a_restart_of_the_command_service_gets_the_first_answer()
    {
        var key = Guid.NewGuid().ToString();
        var first = await system.Commands.PlaceRawAsync(OrderApi.SampleOrder, key);

        await system.RestartCommandServiceAsync();
        var again = await system.Commands.PlaceRawAsync(OrderApi.SampleOrder, key);
        var reused = await system.Commands.PlaceRawAsync(OrderApi.SampleOrder.Replace("c-1", "c-9"), key);

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal((HttpStatusCode.Created, first.OrderId, 1), (again.Status, again.OrderId, again.Version));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.Status);
        Assert.Single((await system.Commands.GetAsync($"/orders/{first.OrderId}/events")).Body.GetProperty("events").EnumerateArray());
    }

    [Fact]
    public async Task Two_replicas_answer_one_idempotency_key_with_one_event()
    {
        var replica = await system.StartCommandReplicaAsync();
        var orderId = await system.Commands.PlaceAsync($"c-{Guid.NewGuid():N}");
        var key = Guid.NewGuid().ToString();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            (i % 2 == 0 ? system.Commands : replica).PayAsync(orderId, 19.98m, "pay-1", idempotencyKey: key)));

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, 2), (a.Status, a.Version)));
        var events = (await replica.GetAsync($"/orders/{orderId}/events")).Body.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["OrderCreated.v2", "OrderPaid.v1"], events.Select(e => e.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task Commands_racing_on_two_replicas_lose_no_event()
    {
        var replica = await system.StartCommandReplicaAsync();
        var orderId = await system.Commands.PlaceAsync($"c-{Guid.NewGuid():N}");

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            i % 2 == 0 ? system.Commands.PayAsync(orderId, 19.98m, $"pay-{i}") : replica.CancelAsync(orderId, $"r-{i}")));

        var events = (await system.Commands.GetAsync($"/orders/{orderId}/events")).Body.GetProperty("events").EnumerateArray().ToList();
        var successes = answers.Count(a => a.Status == HttpStatusCode.OK);
        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.OK or HttpStatusCode.Conflict, $"{(int)a.Status}: {a.Body}"));
        Assert.Equal(events.Count - 1, successes);
        Assert.Equal(Enumerable.Range(1, events.Count), events.Select(e => e.GetProperty("version").GetInt32()));
    }
}
