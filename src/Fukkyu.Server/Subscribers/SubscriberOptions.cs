namespace Fukkyu.Server.Subscribers;

public sealed class SubscriberOptions
{
    public const string Section = "Fukkyu:Subscribers";

    /// <summary>How long a confirmation link works.</summary>
    public int ConfirmTokenHours { get; set; } = 48;
    /// <summary>Confirmation emails to one address per day, however often it is submitted (no mail bombing).</summary>
    public int MaxConfirmEmailsPerDay { get; set; } = 3;
    /// <summary>Subscribe requests per client address per minute on this node.</summary>
    public int RequestsPerMinutePerClient { get; set; } = 5;
    /// <summary>Subscribe requests per minute on this node, all clients together.</summary>
    public int RequestsPerMinute { get; set; } = 300;
    /// <summary>Webhook URLs may point at private, loopback and link-local addresses (never in production).</summary>
    public bool AllowPrivateWebhookTargets { get; set; }
    /// <summary>Hosts exempt from the private-address check, e.g. an internal relay.</summary>
    public List<string> AllowedWebhookHosts { get; set; } = [];
    /// <summary>Subscribers enqueued per transaction of a notice's fan-out.</summary>
    public int FanoutBatchSize { get; set; } = 1000;
}
