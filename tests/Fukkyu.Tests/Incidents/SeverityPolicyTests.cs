using Fukkyu.Server.Incidents;
using Microsoft.Extensions.Options;

namespace Fukkyu.Tests.Incidents;

public sealed class SeverityPolicyTests
{
    private static readonly SeverityPolicy Policy = new(Options.Create(new SeverityOptions()));

    // scope, main function, expected recovery (min), security → level, rule
    public static TheoryData<ImpactScope, bool, int?, bool, int, string> Cases => new()
    {
        { ImpactScope.Some, false, null, false, 1, "minor" },
        { ImpactScope.Some, false, 0, false, 1, "minor" },
        { ImpactScope.Some, false, 29, false, 1, "minor" },
        { ImpactScope.Some, false, 30, false, 1, "minor" },          // manual: "within 30 min" is level 1
        { ImpactScope.Some, false, 31, false, 2, "recovery-over" },  // 30 min–1 h: Fukkyu counts it as level 2
        { ImpactScope.Some, false, 60, false, 2, "recovery-over" },  // 1 h
        { ImpactScope.Some, false, 179, false, 2, "recovery-over" },
        { ImpactScope.Some, false, 180, false, 3, "recovery-long" }, // 3 h
        { ImpactScope.Some, false, 600, false, 3, "recovery-long" },
        { ImpactScope.Many, false, 10, false, 2, "scope-many" },
        { ImpactScope.Some, true, 10, false, 2, "main-function" },
        { ImpactScope.All, false, 5, false, 3, "scope-all" },
        { ImpactScope.All, true, null, true, 3, "scope-all" },
        { ImpactScope.Some, false, 5, true, 2, "security-minimum" },
        { ImpactScope.Some, false, null, true, 2, "security-minimum" },
        { ImpactScope.Some, false, 200, true, 3, "recovery-long" },
        { ImpactScope.Many, true, 45, false, 2, "scope-many,main-function,recovery-over" },
        { ImpactScope.All, false, 240, false, 3, "scope-all,recovery-long" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void LevelFollowsTheManualsRules(ImpactScope scope, bool main, int? recovery, bool security, int level, string rule)
    {
        var decision = Policy.Decide(new SeverityInput(scope, main, recovery, security));

        Assert.Equal(level, decision.Level);
        Assert.Equal(rule, decision.Rule);
        Assert.StartsWith($"Level {level}:", decision.ReasonEn);
        Assert.StartsWith($"レベル {level}:", decision.ReasonJa);
    }

    [Fact]
    public void ThresholdsComeFromConfiguration()
    {
        var strict = new SeverityPolicy(Options.Create(new SeverityOptions { Level2RecoveryOverMinutes = 10, Level3RecoveryFromMinutes = 60, SecurityMinimumLevel = 3 }));

        Assert.Equal(2, strict.Decide(new SeverityInput(ImpactScope.Some, false, 11, false)).Level);
        Assert.Equal(3, strict.Decide(new SeverityInput(ImpactScope.Some, false, 60, false)).Level);
        Assert.Equal(3, strict.Decide(new SeverityInput(ImpactScope.Some, false, null, true)).Level);
    }

    [Fact]
    public void ReasonNamesTheRecoveryTimeAndThreshold()
    {
        var decision = Policy.Decide(new SeverityInput(ImpactScope.Some, false, 45, false));

        Assert.Contains("45 min", decision.ReasonEn);
        Assert.Contains("over 30 min", decision.ReasonEn);
        Assert.Contains("45 分", decision.ReasonJa);
    }
}
