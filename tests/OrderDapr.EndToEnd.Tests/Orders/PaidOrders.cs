using System.Net;
using OrderDapr.EndToEnd.Tests.Fixtures;

namespace OrderDapr.EndToEnd.Tests.Orders;

[Collection(nameof(RunningSystem))]
public sealed class PaidOrders(OrderSystem system)
{
    [Fact]
    public async Task Paying_forgets_the_payment_deadline_and_a_deadline_that_fires_anyway_leaves_the_order_paid()
    {
        var orderId = await system.Commands.PlaceAsync($"c-{Guid.NewGuid():N}");
        Assert.True(await system.ReminderExistsAsync(orderId, "payment-deadline"));

        Assert.Equal(HttpStatusCode.OK, (await system.Commands.PayAsync(orderId, 19.98m)).Status);

        Assert.False(await system.ReminderExistsAsync(orderId, "payment-deadline"));
        // The Scheduler may have triggered it just before it was unregistered.
        Assert.Equal(HttpStatusCode.OK, await system.TriggerReminderAsync(orderId, "payment-deadline"));
        var state = (await system.Commands.GetAsync($"/orders/{orderId}")).Body;
        Assert.Equal(("PAID", 2), (state.GetProperty("status").GetString(), state.GetProperty("version").GetInt32()));
    }
}
