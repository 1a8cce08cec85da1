namespace Fukkyu.Server.Auth;

public static class Roles
{
    public const string Admin = "admin";
    public const string Commander = "commander";
    public const string Responder = "responder";
    public const string Executive = "executive";
    public const string Support = "support";
    public const string Comms = "comms";
    public const string Viewer = "viewer";
    /// <summary>Compliance officers: regulator filings (docs/decisions/040-compliance-role.md).</summary>
    public const string Compliance = "compliance";

    public static readonly string[] All = [Admin, Commander, Responder, Executive, Support, Comms, Viewer, Compliance];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);
}

/// <summary>
/// Authorization policies by what a person may do, not by who they are. Every non-public
/// endpoint names one of these.
/// </summary>
public static class Policies
{
    /// <summary>Read incidents, the catalog and the timeline: any signed-in role.</summary>
    public const string Read = "read";
    /// <summary>Declare incidents, move them through the lifecycle, manage the team.</summary>
    public const string Respond = "respond";
    /// <summary>Add notes: responders plus support and comms, who hear from customers.</summary>
    public const string Annotate = "annotate";
    /// <summary>Change the level, appoint the commander, override gates.</summary>
    public const string Command = "command";
    /// <summary>Users, API keys of others, the catalog.</summary>
    public const string Admin = "admin";
    /// <summary>Send alerts: only integration keys hold this role (their own scheme), never a person.</summary>
    public const string Ingest = "ingest";
    /// <summary>Approve public notices, schedule maintenance, manage subscribers and send briefings: comms and commanders.</summary>
    public const string Communicate = "communicate";
    /// <summary>Decide reportability, edit regulator filings, mark them submitted.</summary>
    public const string Regulatory = "regulatory";

    public static readonly IReadOnlyDictionary<string, string[]> RolesFor = new Dictionary<string, string[]>
    {
        [Read] = Roles.All,
        [Respond] = [Roles.Admin, Roles.Commander, Roles.Responder, Roles.Executive],
        [Annotate] = [Roles.Admin, Roles.Commander, Roles.Responder, Roles.Executive, Roles.Support, Roles.Comms],
        [Command] = [Roles.Admin, Roles.Commander, Roles.Executive],
        [Admin] = [Roles.Admin],
        [Ingest] = ["integration"],
        [Communicate] = [Roles.Admin, Roles.Commander, Roles.Comms],
        [Regulatory] = [Roles.Admin, Roles.Commander, Roles.Executive, Roles.Compliance],
    };
}
