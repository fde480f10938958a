using System.Security.Cryptography;

namespace DaprEmulator.Run;

// The API tokens of one app in a run: what its sidecar requires on the Dapr API (DAPR_API_TOKEN)
// and sends on every call to the app (APP_API_TOKEN).
public sealed record AppTokens(string DaprApiToken, string AppApiToken);

// `run` gives every app a pair of tokens, so that a system started as the README says refuses
// forged calls to its sidecars and its apps: a token set in dapr.yaml (app or common env) or in the
// environment is used as given; one that is not is generated for this run (32 random bytes, hex).
public static class RunTokens
{
    public const string DaprApiTokenVariable = "DAPR_API_TOKEN";
    public const string AppApiTokenVariable = "APP_API_TOKEN";

    public static IReadOnlyDictionary<string, AppTokens> Resolve(RunFile file, Func<string, string?> environment) =>
        file.Apps.ToDictionary(
            app => app.AppId,
            app => new AppTokens(Value(app, DaprApiTokenVariable, environment) ?? Generate(), Value(app, AppApiTokenVariable, environment) ?? Generate()),
            StringComparer.Ordinal);

    public static string Generate() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static string? Value(RunApp app, string name, Func<string, string?> environment) =>
        app.Env.TryGetValue(name, out var v) && v.Length > 0 ? v : environment(name) is { Length: > 0 } e ? e : null;
}
