using System.Text;
using System.Text.Json;
using DaprEmulator.GoFormats;

namespace DaprEmulator.Tests.Actors;

public sealed class GoJsonTests
{
    [Theory]
    [InlineData("1", "1")]
    [InlineData("1.50", "1.5")]
    [InlineData("-0.000001", "-0.000001")]
    [InlineData("0.0000001", "1e-7")]
    [InlineData("1e21", "1e+21")]
    [InlineData("123456789012345678901", "123456789012345680000")]
    [InlineData("9007199254740993", "9007199254740992")]
    [InlineData("12345678901234567.89", "12345678901234568")]
    public void Numbers_go_through_float64_as_in_daprd(string sent, string stored) =>
        Assert.Equal(stored, Remarshal(sent));

    [Fact]
    public void Object_keys_are_sorted_and_html_is_escaped() =>
        Assert.Equal(
            """{"a":[true,null,"x"],"b":"\u003cb\u003e \u0026 \"q\"","é":{}}""",
            Remarshal("""{"é":{},"b":"<b> & \"q\"","a":[true,null,"x"]}"""));

    private static string Remarshal(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Encoding.UTF8.GetString(GoJson.Remarshal(document.RootElement));
    }
}
