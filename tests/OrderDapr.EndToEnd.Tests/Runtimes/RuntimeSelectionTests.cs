using OrderDapr.EndToEnd.Tests.Fixtures.Runtimes;

namespace OrderDapr.EndToEnd.Tests.Runtimes;

// What ORDERDAPR_RUNTIME and ORDERDAPR_EMULATOR_STORAGE select (no system started).
public sealed class RuntimeSelectionTests
{
    [Theory]
    [InlineData(null, "emulator")]
    [InlineData("", "emulator")]
    [InlineData("emulator", "emulator")]
    [InlineData(" DAPRD ", "daprd")]
    public void ORDERDAPR_RUNTIME_names_the_runtime_and_defaults_to_the_emulator(string? value, string runtime) =>
        Assert.Equal(runtime, DaprRuntimes.Parse(value));

    [Fact]
    public void An_unknown_runtime_is_refused_rather_than_run_on_another()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => DaprRuntimes.Parse("kubernetes"));
        Assert.Contains("ORDERDAPR_RUNTIME=kubernetes", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "memory")]
    [InlineData("", "memory")]
    [InlineData("memory", "memory")]
    [InlineData(" Servers", "servers")]
    public void ORDERDAPR_EMULATOR_STORAGE_names_where_the_emulator_keeps_data_and_defaults_to_memory(string? value, string storage) =>
        Assert.Equal(storage, DaprRuntimes.ParseStorage(value));

    [Fact]
    public void An_unknown_storage_is_refused_rather_than_run_in_memory()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => DaprRuntimes.ParseStorage("sqlite"));
        Assert.Contains("ORDERDAPR_EMULATOR_STORAGE=sqlite", refused.Message, StringComparison.Ordinal);
    }
}
