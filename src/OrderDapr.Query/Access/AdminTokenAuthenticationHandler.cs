using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace OrderDapr.Query.Access;

public sealed class AdminTokenOptions : AuthenticationSchemeOptions
{
    public string? Token { get; set; }

    public bool IsConfigured => !string.IsNullOrEmpty(Token);
}

// `Authorization: Bearer <ADMIN_TOKEN>`: the operator.
public sealed class AdminTokenAuthenticationHandler(IOptionsMonitor<AdminTokenOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AdminTokenOptions>(options, logger, encoder)
{
    public const string SchemeName = "AdminToken";
    private const string Bearer = "Bearer ";

    public static bool PresentsToken(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith(Bearer, StringComparison.OrdinalIgnoreCase);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Options.IsConfigured)
        {
            return Task.FromResult(AuthenticateResult.Fail("No admin token is configured."));
        }

        if (!PresentsToken(Request))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var presented = Request.Headers.Authorization.ToString()[Bearer.Length..].Trim();
        if (!SameToken(presented, Options.Token!))
        {
            return Task.FromResult(AuthenticateResult.Fail("Wrong admin token."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    // Comparing hashes takes the same time wherever the tokens differ and whatever their lengths.
    private static bool SameToken(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
