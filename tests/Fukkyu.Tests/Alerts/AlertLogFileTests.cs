using Fukkyu.Server.Alerts;

namespace Fukkyu.Tests.Alerts;

public sealed class AlertLogFileTests
{
    [Fact]
    public void ANewOrReplacedLogFileNumbersItsBatchesAboveTheFoldMark()
    {
        // Were ids to start again at 1 under a mark of 42, new batches would pass for folded ones.
        var path = Path.Combine(Path.GetTempPath(), "fukkyu-tests", $"log-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            var sender = new AlertSender(AlertOrigin.Integration, Guid.NewGuid(), "test", null);
            AlertEvent[] events = [new(sender, AlertAction.Trigger, "k", DateTime.UtcNow, Summary: "s", Severity: AlertSeverity.Info)];
            using (var fresh = AlertLogFile.Open(path, foldedThrough: 42))
            {
                Assert.Equal(43, fresh.Append(DateTime.UtcNow, events, deleteThrough: 0));
            }
            using (var reopened = AlertLogFile.Open(path, foldedThrough: 43))
            {
                Assert.Equal(44, reopened.Append(DateTime.UtcNow, events, deleteThrough: 43));
                Assert.Equal([44L], reopened.ReadAfter(43).Select(b => b.Id));
            }
            Assert.Equal(1, AlertLogFile.CountEvents(path, foldedThrough: 0));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(f);
            }
        }
    }
}
