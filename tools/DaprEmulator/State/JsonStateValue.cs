using System.Text.Json;
using DaprEmulator.GoFormats;

namespace DaprEmulator.State;

// A value saved with metadata contentType application/json, stored as daprd's state stores store
// it (see GoJson). A value that is not JSON, or holds a number float64 cannot, fails the save as a
// state store error.
internal static class JsonStateValue
{
    public static byte[] Remarshal(byte[] json) => Marshal(json, GoJson.Remarshal);

    public static byte[] RemarshalToJsonb(byte[] json) => Marshal(json, GoJson.RemarshalToJsonb);

    private static byte[] Marshal(byte[] json, Func<JsonElement, byte[]> marshal)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new StateStoreException($"invalid character in JSON value: {e.Message}");
        }

        using (document)
        {
            try
            {
                return marshal(document.RootElement);
            }
            catch (FormatException e)
            {
                throw new StateStoreException(e.Message);
            }
        }
    }
}
