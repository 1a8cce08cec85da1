using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Drills;

public sealed class DrillOptions
{
    public const string Section = "Fukkyu:Drills";

    /// <summary>The exchange simulator (or a staging exchange) faults are injected into, e.g. <c>http://127.0.0.1:18180</c>. Unset: tabletop drills, nothing is injected.</summary>
    public string? SimulatorBaseUrl { get; set; }
    /// <summary>Sent as <c>Authorization: Bearer …</c> when the simulator asks for it.</summary>
    public string? SimulatorApiKey { get; set; }
    public int TimeoutSeconds { get; set; } = 10;
}

/// <summary>What one call to the simulator came to.</summary>
public sealed record FaultCallResult(bool Attempted, bool Ok, int? Status, string? Error);

/// <summary>
/// Makes a scenario's inject or clear call against the configured simulator. The scenario only
/// names a path: the host is always the configured one, so a scenario cannot make Fukkyu call
/// anywhere else.
/// </summary>
public sealed class FaultInjector(IHttpClientFactory http, IOptions<DrillOptions> options, ILogger<FaultInjector> log)
{
    public const string HttpClientName = "fukkyu-drills";

    public bool Configured => Uri.TryCreate(options.Value.SimulatorBaseUrl, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps);

    public async Task<FaultCallResult> CallAsync(FaultCall? call, bool clearing, CancellationToken ct)
    {
        if (call is null || !Configured || call.Path is null)
        {
            return new FaultCallResult(false, false, null, call is null ? null : DrillStrings.T("NoSimulator"));
        }
        var baseUri = new Uri(options.Value.SimulatorBaseUrl!.TrimEnd('/') + "/");
        var target = new Uri(baseUri, call.Path.TrimStart('/'));
        if (target.Host != baseUri.Host || target.Port != baseUri.Port || target.Scheme != baseUri.Scheme)
        {
            return new FaultCallResult(false, false, null, DrillStrings.T("PathFormat"));
        }
        using var request = new HttpRequestMessage(new HttpMethod(call.Method?.ToUpperInvariant() ?? "POST"), target);
        if (call.Body is not null)
        {
            request.Content = new StringContent(call.Body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        if (options.Value.SimulatorApiKey is { Length: > 0 } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, options.Value.TimeoutSeconds)));
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            var status = (int)response.StatusCode;
            // Clearing a fault that already cleared itself is fine.
            var ok = response.IsSuccessStatusCode || (clearing && status == 404);
            string? error = null;
            if (!ok)
            {
                var body = await response.Content.ReadAsStringAsync(ct);
                error = $"HTTP {status}: {(body.Length > 500 ? body[..500] : body)}";
            }
            return new FaultCallResult(true, ok, status, error);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            log.LogWarning(e, "Drill fault call to {Target} failed.", target);
            return new FaultCallResult(true, false, null, e.Message.Length > 500 ? e.Message[..500] : e.Message);
        }
    }
}
