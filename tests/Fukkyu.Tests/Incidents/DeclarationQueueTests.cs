using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Microsoft.Extensions.Options;

namespace Fukkyu.Tests.Incidents;

public sealed class DeclarationQueueTests
{
    [Fact]
    public async Task AtMostTheConfiguredNumberRunAtOnceAndTheRestGoInArrivalOrder()
    {
        var urgent = new UrgentWork();
        var queue = new DeclarationQueue(Options.Create(new DeclarationOptions { MaxConcurrentDeclarations = 2 }), urgent);
        Assert.False(urgent.Busy);
        var first = await queue.EnterAsync(CancellationToken.None);
        var second = await queue.EnterAsync(CancellationToken.None);

        var w1 = queue.EnterAsync(CancellationToken.None);
        var w2 = queue.EnterAsync(CancellationToken.None);
        var w3 = queue.EnterAsync(CancellationToken.None);
        await Task.Delay(100);
        Assert.False(w1.IsCompleted || w2.IsCompleted || w3.IsCompleted); // both turns are taken

        first.Dispose();
        var t1 = await w1.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(w2.IsCompleted || w3.IsCompleted);
        second.Dispose();
        var t2 = await w2.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(w3.IsCompleted);
        t1.Dispose();
        var t3 = await w3.WaitAsync(TimeSpan.FromSeconds(5));
        t2.Dispose();
        Assert.True(urgent.Busy); // one declaration is still being worked on
        t3.Dispose();
        Assert.False(urgent.Busy);
    }

    [Fact]
    public async Task AWaiterThatGivesUpLeavesItsTurnToTheNext()
    {
        var urgent = new UrgentWork();
        var queue = new DeclarationQueue(Options.Create(new DeclarationOptions { MaxConcurrentDeclarations = 1 }), urgent);
        var held = await queue.EnterAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var abandoned = queue.EnterAsync(cts.Token);
        var next = queue.EnterAsync(CancellationToken.None);

        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        held.Dispose();
        var turn = await next.WaitAsync(TimeSpan.FromSeconds(5));
        turn.Dispose();
        Assert.False(urgent.Busy); // the one that gave up no longer counts
    }
}
