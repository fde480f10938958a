using System.Text.Json;

namespace DaprEmulator.Actors;

// The JSON body of an actor API request, decoded as daprd decodes it (encoding/json): an empty
// body fails with io.EOF's "EOF", as a malformed one with its syntax error.
internal static class RequestBody
{
    public static JsonDocument Parse(byte[] body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw ActorApiException.MalformedRequest(body.Length == 0 ? "EOF" : ex.Message);
        }
    }
}
