using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Incidents;

/// <summary>DESIGN §2 thresholds; the defaults are the manual's.</summary>
public sealed class SeverityOptions
{
    public const string Section = "Fukkyu:Severity";

    /// <summary>Expected recovery above this many minutes is at least level 2 (the manual's 30 min; 30 min–1 h counts as level 2).</summary>
    public int Level2RecoveryOverMinutes { get; set; } = 30;
    /// <summary>Expected recovery of at least this many minutes is level 3 (the manual's 3 h).</summary>
    public int Level3RecoveryFromMinutes { get; set; } = 180;
    /// <summary>A suspected security breach is at least this level.</summary>
    public int SecurityMinimumLevel { get; set; } = 2;
    /// <summary>A level-1 incident still open this long after detection becomes level 2.</summary>
    public int EscalateLevel1AfterMinutes { get; set; } = 30;
    /// <summary>A level-2 incident still open this long after detection becomes level 3.</summary>
    public int EscalateLevel2AfterMinutes { get; set; } = 180;
    /// <summary>How often the auto-escalation worker looks.</summary>
    public int EscalationCheckSeconds { get; set; } = 15;
}

public sealed record SeverityInput(ImpactScope Scope, bool MainFunction, int? ExpectedRecoveryMinutes, bool Security);

/// <summary>The level, the rules that produced it, and the reason in both languages.</summary>
public sealed record SeverityDecision(int Level, string Rule, string ReasonJa, string ReasonEn);

/// <summary>
/// The manual's chapter 1.2 made exact: the highest level any rule gives wins, and every rule
/// that gives that level is named in the reason.
/// </summary>
public sealed class SeverityPolicy(IOptions<SeverityOptions> options)
{
    public SeverityOptions Options => options.Value;

    public SeverityDecision Decide(SeverityInput input)
    {
        var o = options.Value;
        var hits = new List<(int Level, string Rule, string Ja, string En)>();
        var recovery = input.ExpectedRecoveryMinutes;

        if (input.Scope == ImpactScope.All)
        {
            hits.Add((3, "scope-all", "全ユーザーまたはサービス全体に影響", "all users or the whole service affected"));
        }
        if (recovery >= o.Level3RecoveryFromMinutes)
        {
            hits.Add((3, "recovery-long", $"復旧見込み {recovery} 分（{o.Level3RecoveryFromMinutes} 分以上）",
                $"expected recovery {recovery} min (at least {o.Level3RecoveryFromMinutes} min)"));
        }
        if (input.Scope == ImpactScope.Many)
        {
            hits.Add((2, "scope-many", "多くのユーザーに影響", "many users affected"));
        }
        if (input.MainFunction)
        {
            hits.Add((2, "main-function", "主要な機能（取引・入出金・Private API）に影響", "a main function (trading, deposits/withdrawals, private API) affected"));
        }
        if (recovery > o.Level2RecoveryOverMinutes && recovery < o.Level3RecoveryFromMinutes)
        {
            hits.Add((2, "recovery-over", $"復旧見込み {recovery} 分（{o.Level2RecoveryOverMinutes} 分超）",
                $"expected recovery {recovery} min (over {o.Level2RecoveryOverMinutes} min)"));
        }
        if (input.Security)
        {
            hits.Add((o.SecurityMinimumLevel, "security-minimum", $"セキュリティ侵害の疑い（レベル {o.SecurityMinimumLevel} 以上）",
                $"suspected security breach (at least level {o.SecurityMinimumLevel})"));
        }

        if (hits.Count == 0)
        {
            var (ja, en) = recovery is null
                ? ("レベル 1: 一部のユーザーまたは一部の機能に限定（復旧見込み未定）", "Level 1: some users or a minor function (expected recovery unknown)")
                : ($"レベル 1: 一部のユーザーまたは一部の機能に限定、復旧見込み {recovery} 分（{o.Level2RecoveryOverMinutes} 分以内）",
                   $"Level 1: some users or a minor function, expected recovery {recovery} min (within {o.Level2RecoveryOverMinutes} min)");
            return new SeverityDecision(1, "minor", ja, en);
        }
        var level = hits.Max(h => h.Level);
        var winners = hits.Where(h => h.Level == level).ToList();
        return new SeverityDecision(level,
            string.Join(",", winners.Select(w => w.Rule)),
            $"レベル {level}: " + string.Join("、", winners.Select(w => w.Ja)),
            $"Level {level}: " + string.Join("; ", winners.Select(w => w.En)));
    }
}
