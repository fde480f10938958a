using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrderDapr.Command.Domain;
using OrderDapr.Contracts;

namespace OrderDapr.Command.Http;

// The bodies as the OpenAPI document shows them. Command bodies: CommandValidation's rules, from
// its constants (the records' fields are nullable only so that a missing one is reported by name;
// on the wire they are required, and JsonBody refuses unknown fields). Views: the values their
// open-ended strings take.
public static class ApiSchemas
{
    // char.IsControl, which CommandValidation refuses in every text field.
    private const string NoControlCharacters = @"^[^\x00-\x1F\x7F-\x9F]*$";

    public static Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(PlaceOrderBody))
        {
            Body(schema, "customerId", "items");
            Text(schema, "customerId");
            var items = Property(schema, "items", JsonSchemaType.Array);
            items.MinItems = 1;
            items.MaxItems = CommandValidation.MaxItems;
            var currency = Property(schema, "currency", JsonSchemaType.String);
            currency.Pattern = CommandValidation.CurrencyPattern;
            currency.Default = JsonValue.Create(CommandValidation.DefaultCurrency);
            currency.Description = "An ISO 4217 code.";
        }
        else if (type == typeof(OrderLineBody))
        {
            Body(schema, "productId", "quantity", "unitPrice");
            Text(schema, "productId");
            var quantity = Property(schema, "quantity", JsonSchemaType.Integer);
            quantity.Minimum = "1";
            quantity.Maximum = Invariant(CommandValidation.MaxQuantity);
            var unitPrice = Property(schema, "unitPrice", JsonSchemaType.Number);
            unitPrice.Minimum = "0";
            unitPrice.Maximum = Invariant(CommandValidation.MaxUnitPrice);
            unitPrice.MultipleOf = 0.01m;
            unitPrice.Description = "At most two decimals.";
        }
        else if (type == typeof(PayOrderBody))
        {
            Body(schema, "amount", "paymentId");
            var amount = Property(schema, "amount", JsonSchemaType.Number);
            amount.ExclusiveMinimum = "0";
            amount.Description = "The order's total, exactly.";
            Text(schema, "paymentId");
        }
        else if (type == typeof(ShipOrderBody))
        {
            Body(schema, "trackingNumber");
            Text(schema, "trackingNumber");
        }
        else if (type == typeof(CancelOrderBody))
        {
            Body(schema, "reason");
            var reason = Text(schema, "reason");
            reason.Not = new OpenApiSchema { Enum = [JsonValue.Create(CancelOrder.PaymentTimeout)] };
            reason.Description += $" Any reason but `{CancelOrder.PaymentTimeout}`, which is the payment deadline's.";
        }
        else if (type == typeof(DeliverOrderBody))
        {
            Body(schema);
        }
        else if (type == typeof(OrderStateView))
        {
            Property(schema, "status", JsonSchemaType.String).Enum =
                [.. Enum.GetValues<OrderStatus>().Where(s => s != OrderStatus.None).Select(s => (JsonNode)JsonValue.Create(OrderStreamEndpoints.StatusName(s)))];
        }
        else if (type == typeof(StoredEventView))
        {
            var eventType = Property(schema, "type", JsonSchemaType.String);
            eventType.Enum = [.. EventSerializer.KnownTypeNames.Select(n => (JsonNode)JsonValue.Create(n))];
            eventType.Description = "The name the event was stored under (a retired name stays as it was).";
            schema.Properties!["data"] = new OpenApiSchema { Description = "The event's payload, as its `type` defines it." };
        }

        return Task.CompletedTask;
    }

    private static void Body(OpenApiSchema schema, params string[] required)
    {
        schema.Required = new HashSet<string>(required);
        schema.AdditionalPropertiesAllowed = false;
    }

    private static OpenApiSchema Text(OpenApiSchema body, string name)
    {
        var text = Property(body, name, JsonSchemaType.String);
        text.MinLength = 1;
        text.MaxLength = CommandValidation.MaxTextLength;
        text.Pattern = NoControlCharacters;
        text.Description = "Not blank; no control characters.";
        return text;
    }

    // The property's schema, of this type and no other (not null).
    private static OpenApiSchema Property(OpenApiSchema body, string name, JsonSchemaType type)
    {
        if (body.Properties?.TryGetValue(name, out var found) != true || found is not OpenApiSchema property)
        {
            throw new InvalidOperationException($"The schema has no inline property {name}.");
        }

        property.Type = type;
        return property;
    }

    private static string Invariant(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
