namespace Fukkyu.Server.Notices;

public sealed class NoticeOptions
{
    public const string Section = "Fukkyu:Notices";

    /// <summary>Notices of incidents at this level and above wait for a comms or commander approval; 0 turns approval off. Security incidents always need it.</summary>
    public int RequireApprovalFromLevel { get; set; } = 2;
    /// <summary>Whether the author may approve their own notice (four eyes by default).</summary>
    public bool AllowSelfApproval { get; set; }
    /// <summary>Remind the commander and comms when no notice has gone out for this long at level 2…</summary>
    public int CadenceMinutesLevel2 { get; set; } = 30;
    /// <summary>…and at level 3.</summary>
    public int CadenceMinutesLevel3 { get; set; } = 15;
    /// <summary>Every mandatory item in English as well as Japanese (the public page is bilingual).</summary>
    public bool RequireEnglish { get; set; } = true;
    /// <summary>A templates file replacing the built-in one (same format as Notices/comms-templates.json).</summary>
    public string? TemplatesFile { get; set; }
    /// <summary>Where operators open the UI, for links in approval requests and reminders.</summary>
    public string OperatorUrl { get; set; } = "http://localhost:8080";

    public TimeSpan? Cadence(int level) => level switch
    {
        >= 3 => TimeSpan.FromMinutes(CadenceMinutesLevel3),
        2 => TimeSpan.FromMinutes(CadenceMinutesLevel2),
        _ => null,
    };
}
