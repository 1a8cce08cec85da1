using System.Net;
using System.Text.RegularExpressions;
using Fukkyu.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Fukkyu.Tests.Comms;

/// <summary>A person at the operator UI without JavaScript: signs in with a cookie, reads pages, posts their forms.</summary>
internal sealed partial class OpsBrowser(HttpClient client)
{
    public HttpClient Client { get; } = client;

    public static async Task<OpsBrowser> SignInAsync(FukkyuApp app, string userName, string password, string language = "en")
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        var browser = new OpsBrowser(client);
        var response = await browser.PostFormAsync("/ops/signin", "signin", new() { ["Input.UserName"] = userName, ["Input.Password"] = password });
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found, $"sign-in answered {(int)response.StatusCode}");
        return browser;
    }

    public async Task<string> GetAsync(string path)
    {
        var response = await Client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}: {html[..Math.Min(500, html.Length)]}");
        return html;
    }

    /// <summary>Loads the page (for its anti-forgery token), then posts the named form like a browser would.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string path, string formName, Dictionary<string, string> fields, IEnumerable<(string, string)>? repeated = null)
    {
        var page = await Client.GetStringAsync(path);
        var token = Token().Match(page);
        Assert.True(token.Success, $"no anti-forgery token on {path}");
        var values = new List<KeyValuePair<string, string>>
        {
            new("_handler", formName),
            new("__RequestVerificationToken", WebUtility.HtmlDecode(token.Groups[1].Value)),
        };
        values.AddRange(fields);
        values.AddRange((repeated ?? []).Select(r => new KeyValuePair<string, string>(r.Item1, r.Item2)));
        return await Client.PostAsync(path, new FormUrlEncodedContent(values));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
