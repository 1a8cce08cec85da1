namespace Fukkyu.Server.OnCall;

public sealed class PagingOptions
{
    public const string Section = "Fukkyu:Paging";

    /// <summary>How people reach this Fukkyu from a phone: the base of acknowledgement and incident links.</summary>
    public string PublicUrl { get; set; } = "http://localhost:8080";
    /// <summary>How long an acknowledgement link works.</summary>
    public int AckLinkHours { get; set; } = 24;
    /// <summary>For groups without an escalation policy: minutes between re-notifications.</summary>
    public int DefaultRepeatMinutes { get; set; } = 5;
    /// <summary>For groups without an escalation policy: how many times they are re-notified.</summary>
    public int DefaultRepeat { get; set; } = 2;
    /// <summary>Acknowledging a page adds the person to the incident team (so they see security incidents).</summary>
    public bool AddAcknowledgerAsMember { get; set; } = true;

    public string Link(string path) => PublicUrl.TrimEnd('/') + path;
}

/// <summary>The SMS gateway: any HTTP API that takes a number and a text (Twilio-style form or JSON).</summary>
public sealed class SmsOptions
{
    public const string Section = "Fukkyu:Sms";

    /// <summary>The gateway's endpoint; SMS messages fail with a clear error until it is set.</summary>
    public string? Url { get; set; }
    /// <summary><c>form</c> (application/x-www-form-urlencoded, as Twilio takes it) or <c>json</c>.</summary>
    public string Format { get; set; } = "form";
    public string ToField { get; set; } = "To";
    public string TextField { get; set; } = "Body";
    public string FromField { get; set; } = "From";
    public string? From { get; set; }
    /// <summary>Basic authentication (Twilio: account SID and auth token).</summary>
    public string? UserName { get; set; }
    public string? Password { get; set; }
    /// <summary>Or a whole Authorization header value, e.g. <c>Bearer …</c>.</summary>
    public string? Authorization { get; set; }
    /// <summary>Longer texts are cut to this many characters.</summary>
    public int MaxLength { get; set; } = 480;
}
