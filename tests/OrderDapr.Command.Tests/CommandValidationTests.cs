using OrderDapr.Command.Http;

namespace OrderDapr.Command.Tests;

public sealed class PlaceOrderValidation
{
    private static readonly OrderLineBody GoodLine = new("p-1", 2, 9.99m);

    [Fact]
    public void A_complete_body_becomes_a_command_defaulting_to_usd()
    {
        var (command, errors) = CommandValidation.ToCommand(new PlaceOrderBody("c-1", [GoodLine], null));

        Assert.Empty(errors);
        Assert.Equal("USD", command!.Currency);
        Assert.Equal(19.98m, command.Items.Sum(i => i.Subtotal));
    }

    [Theory]
    [InlineData(null, "customerId")]
    [InlineData("  ", "customerId")]
    public void A_missing_customer_is_named(string? customerId, string field) =>
        AssertInvalid(new PlaceOrderBody(customerId, [GoodLine], null), field);

    [Fact]
    public void An_order_without_items_is_invalid() => AssertInvalid(new PlaceOrderBody("c-1", [], null), "items");

    [Fact]
    public void A_quantity_below_one_is_invalid() =>
        AssertInvalid(new PlaceOrderBody("c-1", [new OrderLineBody("p-1", 0, 1m)], null), "items[0].quantity");

    [Fact]
    public void A_negative_price_is_invalid() =>
        AssertInvalid(new PlaceOrderBody("c-1", [GoodLine, new OrderLineBody("p-2", 1, -0.01m)], null), "items[1].unitPrice");

    [Fact]
    public void A_price_with_fractions_of_a_cent_is_invalid() =>
        AssertInvalid(new PlaceOrderBody("c-1", [new OrderLineBody("p-1", 1, 0.001m)], null), "items[0].unitPrice");

    [Fact]
    public void A_currency_that_is_not_an_iso_code_is_invalid() =>
        AssertInvalid(new PlaceOrderBody("c-1", [GoodLine], "dollars"), "currency");

    [Fact]
    public void A_client_cannot_claim_the_payment_timeout_reason() =>
        Assert.Contains("reason", CommandValidation.ToCommand(new CancelOrderBody("payment-timeout")).Errors.Keys);

    private static void AssertInvalid(PlaceOrderBody body, string field)
    {
        var (command, errors) = CommandValidation.ToCommand(body);
        Assert.Null(command);
        Assert.Contains(field, errors.Keys);
    }
}

public sealed class IdempotencyKeys
{
    // Pinned: a client retrying across a deployment, or on another replica, must land on the order
    // its first attempt placed, so the mapping may never change.
    [Fact]
    public void A_key_names_the_same_order_in_every_release_and_on_every_replica() =>
        Assert.Equal("c5b9e667-6a35-866f-a4ed-1c60800c218e", IdempotencyKey.OrderIdFor("k-1"));

    [Fact]
    public void Different_keys_name_different_orders_with_guid_ids()
    {
        var a = IdempotencyKey.OrderIdFor("k-1");
        var b = IdempotencyKey.OrderIdFor("k-2");

        Assert.NotEqual(a, b);
        Assert.True(OrderIds.TryNormalize(a, out _));
    }
}
