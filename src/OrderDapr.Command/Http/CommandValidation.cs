using System.Text.RegularExpressions;
using OrderDapr.Command.Domain;
using OrderDapr.Contracts;

namespace OrderDapr.Command.Http;

public static partial class CommandValidation
{
    public const int MaxItems = 100;
    public const int MaxTextLength = 200;
    public const int MaxQuantity = 1_000_000;
    public const decimal MaxUnitPrice = 1_000_000_000m;
    public const string DefaultCurrency = "USD";
    public const string CurrencyPattern = "^[A-Z]{3}$";

    public static (PlaceOrder? Command, Dictionary<string, string[]> Errors) ToCommand(PlaceOrderBody body)
    {
        var errors = new Dictionary<string, string[]>();
        RequireText(errors, "customerId", body.CustomerId);
        var currency = body.Currency ?? DefaultCurrency;
        if (!CurrencyCode().IsMatch(currency))
        {
            errors["currency"] = ["currency must be a three-letter ISO 4217 code such as USD."];
        }

        var lines = new List<OrderLine>();
        if (body.Items is null || body.Items.Count == 0)
        {
            errors["items"] = ["An order needs at least one item."];
        }
        else if (body.Items.Count > MaxItems)
        {
            errors["items"] = [$"An order may have at most {MaxItems} items."];
        }
        else
        {
            for (var i = 0; i < body.Items.Count; i++)
            {
                var line = body.Items[i];
                var at = $"items[{i}]";
                if (line is null)
                {
                    errors[at] = ["An item must be an object."];
                    continue;
                }

                RequireText(errors, $"{at}.productId", line.ProductId);
                if (line.Quantity is not { } quantity || quantity < 1 || quantity > MaxQuantity)
                {
                    errors[$"{at}.quantity"] = [$"quantity must be a whole number from 1 to {MaxQuantity}."];
                }

                if (line.UnitPrice is not { } price || price < 0 || price > MaxUnitPrice || decimal.Round(price, 2) != price)
                {
                    errors[$"{at}.unitPrice"] = [$"unitPrice must be a number from 0 to {MaxUnitPrice} with at most two decimals."];
                }

                if (line is { ProductId: { } productId, Quantity: { } q, UnitPrice: { } p })
                {
                    lines.Add(new OrderLine(productId, q, p));
                }
            }
        }

        return errors.Count == 0 ? (new PlaceOrder(body.CustomerId!, lines, currency), errors) : (null, errors);
    }

    public static (PayOrder? Command, Dictionary<string, string[]> Errors) ToCommand(PayOrderBody body)
    {
        var errors = new Dictionary<string, string[]>();
        if (body.Amount is not { } amount || amount <= 0)
        {
            errors["amount"] = ["amount must be a positive number."];
        }

        RequireText(errors, "paymentId", body.PaymentId);
        return errors.Count == 0 ? (new PayOrder(body.Amount!.Value, body.PaymentId!), errors) : (null, errors);
    }

    public static (ShipOrder? Command, Dictionary<string, string[]> Errors) ToCommand(ShipOrderBody body)
    {
        var errors = new Dictionary<string, string[]>();
        RequireText(errors, "trackingNumber", body.TrackingNumber);
        return errors.Count == 0 ? (new ShipOrder(body.TrackingNumber!), errors) : (null, errors);
    }

    public static (CancelOrder? Command, Dictionary<string, string[]> Errors) ToCommand(CancelOrderBody body)
    {
        var errors = new Dictionary<string, string[]>();
        RequireText(errors, "reason", body.Reason);
        if (body.Reason == CancelOrder.PaymentTimeout)
        {
            errors["reason"] = [$"'{CancelOrder.PaymentTimeout}' is reserved for the payment deadline."];
        }

        return errors.Count == 0 ? (new CancelOrder(body.Reason!), errors) : (null, errors);
    }

    private static void RequireText(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors[field] = [$"{field} is required."];
        }
        else if (value.Length > MaxTextLength)
        {
            errors[field] = [$"{field} may be at most {MaxTextLength} characters."];
        }
        else if (value.Any(char.IsControl))
        {
            errors[field] = [$"{field} may not contain control characters."];
        }
    }

    [GeneratedRegex(CurrencyPattern)]
    private static partial Regex CurrencyCode();
}
