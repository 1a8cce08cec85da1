using System.Net;
using System.Text.RegularExpressions;
using Fukkyu.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Fukkyu.Tests.Detection;

/// <summary>
/// A person in the operator UI: signs in with the password form and posts the pages' own forms
/// (with their anti-forgery token), as a browser without JavaScript would.
/// </summary>
internal sealed partial class OpsSession(HttpClient client)
{
    public HttpClient Client { get; } = client;

    public static async Task<OpsSession> SignInAsync(FukkyuApp app, string userName = "admin", string password = FukkyuApp.AdminPassword, string language = "en")
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = true, HandleCookies = true });
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        var session = new OpsSession(client);
        var page = await session.PostFormAsync("/ops/signin", "signin", new() { ["Input.UserName"] = userName, ["Input.Password"] = password });
        Assert.DoesNotContain("signin-title", page);
        return session;
    }

    public async Task<string> GetAsync(string path)
    {
        var response = await Client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}");
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Loads the page, then submits its form <paramref name="formName"/> with these fields.</summary>
    public async Task<string> PostFormAsync(string path, string formName, Dictionary<string, string> fields)
    {
        var page = await GetAsync(path);
        var token = TokenPattern().Match(page);
        Assert.True(token.Success, $"No anti-forgery token on {path}");
        var form = new Dictionary<string, string>(fields)
        {
            ["_handler"] = formName,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
        };
        var response = await Client.PostAsync(path, new FormUrlEncodedContent(form));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path} ({formName}) answered {(int)response.StatusCode}: {body[..Math.Min(500, body.Length)]}");
        return body;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
