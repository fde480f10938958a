using System.Text.Json;
using OrderDapr.Contracts;

namespace OrderDapr.Command.Tests;

public sealed class StoredEventNames
{
    [Fact]
    public void Events_are_stored_under_their_stable_versioned_names()
    {
        Assert.Equal("OrderCreated.v2", EventSerializer.TypeNameOf(Sample.Created));
        Assert.Equal("OrderPaid.v1", EventSerializer.TypeNameOf(Sample.Paid));
        Assert.Equal("OrderShipped.v1", EventSerializer.TypeNameOf(Sample.Shipped));
        Assert.Equal("OrderDelivered.v1", EventSerializer.TypeNameOf(new OrderDelivered()));
        Assert.Equal("OrderCancelled.v1", EventSerializer.TypeNameOf(new OrderCancelled("x")));
    }

    [Fact]
    public void An_event_round_trips_through_its_stored_shape()
    {
        var data = EventSerializer.ToData(Sample.Created);

        var read = Assert.IsType<OrderCreated>(EventSerializer.FromData("OrderCreated.v2", data));

        Assert.Equal("c-1", read.CustomerId);
        Assert.Equal(Sample.Lines, read.Items);
        Assert.Equal("USD", read.Currency);
    }

    [Fact]
    public void A_v1_order_created_without_currency_is_upcast_to_v2_in_usd()
    {
        var v1 = JsonDocument.Parse("""{"customerId":"c-9","items":[{"productId":"p-1","quantity":3,"unitPrice":1.5}]}""").RootElement;

        var read = Assert.IsType<OrderCreated>(EventSerializer.FromData("OrderCreated.v1", v1));

        Assert.Equal("c-9", read.CustomerId);
        Assert.Equal("USD", read.Currency);
        Assert.Equal(4.5m, read.Total);
    }

    [Fact]
    public void A_name_no_release_wrote_is_refused_by_name()
    {
        var ex = Assert.Throws<UnknownEventTypeException>(() =>
            EventSerializer.FromData("OrderTeleported.v1", JsonDocument.Parse("{}").RootElement));
        Assert.Equal("OrderTeleported.v1", ex.TypeName);
    }
}
