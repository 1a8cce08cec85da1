using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Subscribers;

/// <summary>
/// Keeps subscriber webhooks off the inside network (SSRF): a URL whose host resolves to a
/// private, loopback, link-local, carrier-grade NAT, multicast or reserved address is refused
/// when registered, and the delivery client connects only to public addresses — so a DNS answer
/// that changes after registration (rebinding) cannot reach inside either. Configuration can allow
/// private targets or name hosts that are exempt.
/// </summary>
public sealed class WebhookTargetGuard(IOptions<SubscriberOptions> options)
{
    public const string HttpClientName = "fukkyu-subscriber-webhooks";

    // Thousands of deliveries to one host ask the same question; DNS is asked once a minute.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Until, string? Refusal)> _recent = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Why this URL may not be used, or null when it may.</summary>
    public async Task<string?> CheckAsync(string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return SubscriberStrings.T("WebhookNotHttp");
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return SubscriberStrings.T("WebhookUserInfo");
        }
        if (Exempt(uri.IdnHost))
        {
            return null;
        }
        if (_recent.TryGetValue(uri.IdnHost, out var hit) && hit.Until > Environment.TickCount64)
        {
            return hit.Refusal;
        }
        var refusal = await ResolveAndCheckAsync(uri, ct);
        if (_recent.Count > 10_000)
        {
            _recent.Clear();
        }
        _recent[uri.IdnHost] = (Environment.TickCount64 + 60_000, refusal);
        return refusal;
    }

    private static async Task<string?> ResolveAndCheckAsync(Uri uri, CancellationToken ct)
    {
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.IdnHost, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(uri.IdnHost, ct);
        }
        catch (SocketException)
        {
            return SubscriberStrings.T("WebhookUnresolvable", uri.IdnHost);
        }
        if (addresses.Length == 0)
        {
            return SubscriberStrings.T("WebhookUnresolvable", uri.IdnHost);
        }
        return addresses.FirstOrDefault(IsInternal) is { } bad ? SubscriberStrings.T("WebhookPrivate", uri.IdnHost, bad) : null;
    }

    public bool Exempt(string host) =>
        options.Value.AllowPrivateWebhookTargets || options.Value.AllowedWebhookHosts.Contains(host.Trim('[', ']'), StringComparer.OrdinalIgnoreCase);

    /// <summary>The delivery client's connect step: only addresses that pass, whatever DNS says now.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var usable = Exempt(host) ? addresses : [.. addresses.Where(a => !IsInternal(a))];
        if (usable.Length == 0)
        {
            throw new HttpRequestException(SubscriberStrings.T("WebhookPrivate", host, addresses.FirstOrDefault()));
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(usable, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return true;
        }
        var b = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return b[0] switch
            {
                0 or 10 or 127 => true,
                100 => b[1] is >= 64 and <= 127,          // 100.64.0.0/10 carrier-grade NAT
                169 => b[1] == 254,                       // link-local, cloud metadata
                172 => b[1] is >= 16 and <= 31,
                192 => (b[1] == 168) || (b[1] == 0 && b[2] is 0 or 2),   // private, IETF, TEST-NET-1
                198 => b[1] is 18 or 19 || (b[1] == 51 && b[2] == 100),  // benchmarking, TEST-NET-2
                203 => b[1] == 0 && b[2] == 113,          // TEST-NET-3
                >= 224 => true,                           // multicast and reserved
                _ => false,
            };
        }
        if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal)
        {
            return true;
        }
        // NAT64 (64:ff9b::/96) and documentation (2001:db8::/32) prefixes.
        return (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8);
    }
}
