using System.Text.Json;
using OrderDapr.Command.Domain;
using OrderDapr.Contracts;

namespace OrderDapr.Command.Tests;

// Given (past events) / When (command) / Then (the event decided, or the refusal's code).
public sealed class OrderSpecification
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly Order state;

    private OrderSpecification(Order state) => this.state = state;

    public static OrderSpecification Given(params OrderEvent[] history) =>
        new(OrderDecider.Replay(history.Select((e, i) => (e, Noon.AddMinutes(i)))));

    public Outcome When(OrderCommand command) => new(OrderDecider.Decide(command, state));

    public sealed class Outcome(Decision decision)
    {
        public void Then(OrderEvent expected)
        {
            var accepted = Assert.IsType<Decision.Accept>(decision);
            Assert.Equal(EventSerializer.TypeNameOf(expected), EventSerializer.TypeNameOf(accepted.Event));
            Assert.Equal(Json(expected), Json(accepted.Event));
        }

        public void ThenRefused(string code)
        {
            var rejected = Assert.IsType<Decision.Reject>(decision);
            Assert.Equal(code, rejected.Why.Code);
        }

        private static string Json(OrderEvent e) => JsonSerializer.Serialize(EventSerializer.ToData(e));
    }
}

public static class Sample
{
    public static readonly IReadOnlyList<OrderLine> Lines = [new("p-1", 2, 9.99m), new("p-2", 1, 0.02m)];
    public const decimal Total = 20.00m;

    public static OrderCreated Created => new("c-1", Lines, "USD");

    public static OrderPaid Paid => new(Total, "pay-1");

    public static OrderShipped Shipped => new("track-1");
}
