using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Fukkyu.Tests.Infrastructure;

/// <summary>A browser-like session against the operator UI: cookies, anti-forgery tokens, forms.</summary>
public sealed partial class UiSession(HttpClient client)
{
    public HttpClient Client { get; } = client;

    public static UiSession Start(FukkyuApp app, string language = "en")
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        return new UiSession(client);
    }

    public async Task<HttpResponseMessage> SignInAsync(string userName, string password) =>
        await SubmitAsync("/ops/signin", "signin", new() { ["Input.UserName"] = userName, ["Input.Password"] = password });

    /// <summary>GETs the page, takes its anti-forgery token, and posts the named form.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string page, string formName, Dictionary<string, string> fields, IEnumerable<KeyValuePair<string, string>>? extra = null)
    {
        var html = await Client.GetStringAsync(page);
        var token = TokenPattern().Match(html);
        Assert.True(token.Success, $"No anti-forgery token on {page}");
        var form = new List<KeyValuePair<string, string>>
        {
            new("_handler", formName),
            new("__RequestVerificationToken", WebUtility.HtmlDecode(token.Groups[1].Value)),
        };
        form.AddRange(fields);
        form.AddRange(extra ?? []);
        return await Client.PostAsync(page, new FormUrlEncodedContent(form));
    }

    /// <summary>The redirect target as a local path, whether the server sent it absolute or relative.</summary>
    public static string LocalPath(HttpResponseMessage response) =>
        response.Headers.Location is { } l ? (l.IsAbsoluteUri ? l.PathAndQuery : l.OriginalString) : "";

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
