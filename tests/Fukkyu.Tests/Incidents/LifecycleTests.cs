using Fukkyu.Server.Incidents;

namespace Fukkyu.Tests.Incidents;

public sealed class LifecycleTests
{
    private static readonly HashSet<(IncidentStatus, IncidentStatus)> Allowed =
    [
        (IncidentStatus.Detected, IncidentStatus.Triaging),
        (IncidentStatus.Triaging, IncidentStatus.Investigating),
        (IncidentStatus.Investigating, IncidentStatus.Recovering),
        (IncidentStatus.Recovering, IncidentStatus.Verifying),
        (IncidentStatus.Recovering, IncidentStatus.Investigating),
        (IncidentStatus.Verifying, IncidentStatus.Resolved),
        (IncidentStatus.Verifying, IncidentStatus.Recovering),
        (IncidentStatus.Resolved, IncidentStatus.PostIncident),
        (IncidentStatus.PostIncident, IncidentStatus.Closed),
    ];

    public static TheoryData<IncidentStatus, IncidentStatus> EveryPair()
    {
        var data = new TheoryData<IncidentStatus, IncidentStatus>();
        foreach (var from in Enum.GetValues<IncidentStatus>())
        {
            foreach (var to in Enum.GetValues<IncidentStatus>())
            {
                data.Add(from, to);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void OnlyTheDesignedTransitionsAreAllowed(IncidentStatus from, IncidentStatus to) =>
        Assert.Equal(Allowed.Contains((from, to)), Lifecycle.IsAllowed(from, to));

    [Theory]
    [InlineData(IncidentStatus.Detected, null)]
    [InlineData(IncidentStatus.Triaging, PublicIncidentStatus.Investigating)]
    [InlineData(IncidentStatus.Investigating, PublicIncidentStatus.Investigating)]
    [InlineData(IncidentStatus.Recovering, PublicIncidentStatus.Identified)]
    [InlineData(IncidentStatus.Verifying, PublicIncidentStatus.Monitoring)]
    [InlineData(IncidentStatus.Resolved, PublicIncidentStatus.Resolved)]
    [InlineData(IncidentStatus.PostIncident, PublicIncidentStatus.Resolved)]
    [InlineData(IncidentStatus.Closed, PublicIncidentStatus.Resolved)]
    public void PublicStatusUsesStatuspageVocabulary(IncidentStatus status, PublicIncidentStatus? expected) =>
        Assert.Equal(expected, Lifecycle.PublicStatus(status));

    [Fact]
    public void PostIncidentShowsPostmortemOnceTheReportIsPublished()
    {
        Assert.Equal(PublicIncidentStatus.Postmortem, Lifecycle.PublicStatus(IncidentStatus.PostIncident, reportPublished: true));
        Assert.Equal(PublicIncidentStatus.Postmortem, Lifecycle.PublicStatus(IncidentStatus.Closed, reportPublished: true));
    }
}
