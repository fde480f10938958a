using OrderDapr.EndToEnd.Tests.Fixtures;

namespace OrderDapr.EndToEnd.Tests.Orders;

// order-command runs here with a payment deadline of two seconds instead of thirty minutes, tried
// again every two seconds until it has done its work. No verdict depends on how fast the machine
// is: the tests wait for the outcome, never for a moment.
[Collection(nameof(ShortPaymentDeadlineSystem))]
public sealed class PaymentDeadline(ShortPaymentDeadlineOrderSystem system)
{
    [Fact]
    public async Task An_order_left_unpaid_past_the_deadline_is_cancelled_for_payment_timeout()
    {
        var orderId = await system.Commands.PlaceAsync($"c-{Guid.NewGuid():N}");

        var cancelled = await system.GraphQL.OrderWhereAsync(
            orderId, o => o.GetProperty("status").GetString() == "CANCELLED", "the unpaid order to be cancelled");

        Assert.Equal("payment-timeout", cancelled.GetProperty("cancellationReason").GetString());
        Assert.Equal(2, cancelled.GetProperty("version").GetInt32());
        var events = (await system.Commands.GetAsync($"/orders/{orderId}/events")).Body.GetProperty("events");
        Assert.Equal("OrderCancelled.v1", events[1].GetProperty("type").GetString());
    }

    [Fact]
    public async Task The_deadline_survives_a_restart_of_the_command_service()
    {
        var orderId = await system.Commands.PlaceAsync($"c-{Guid.NewGuid():N}");
        var placedAt = DateTimeOffset.UtcNow;
        Assert.True(await system.ReminderExistsAsync(orderId, "payment-deadline"));

        await system.StopCommandServiceAsync();
        // Down past the deadline and past the Scheduler's retries of it (3, 1 s apart), so the
        // deadline's first trigger is dropped with no app to call: the next period must do it.
        var due = placedAt + ShortPaymentDeadlineOrderSystem.Deadline + TimeSpan.FromSeconds(4);
        await Task.Delay(due - DateTimeOffset.UtcNow is { Ticks: > 0 } wait ? wait : TimeSpan.Zero);
        await system.StartCommandServiceAsync();

        await Eventually.Async(async () =>
            (await system.Commands.GetAsync($"/orders/{orderId}")).Body.GetProperty("status").GetString() == "CANCELLED",
            "the order to be cancelled after the restart");
        var state = (await system.Commands.GetAsync($"/orders/{orderId}")).Body;
        Assert.Equal("payment-timeout", state.GetProperty("cancellationReason").GetString());
    }
}
