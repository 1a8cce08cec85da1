using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Fukkyu.Cli;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.StatusPage;
using Fukkyu.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using static Fukkyu.Tests.Comms.CommsKit;

namespace Fukkyu.Tests.Comms;

public sealed class StatusPageTests
{
    private static readonly string[] ComponentFields =
        ["id", "name", "status", "created_at", "updated_at", "position", "description", "showcase", "start_date", "group_id", "page_id", "group", "only_show_if_degraded"];

    private static readonly string[] IncidentFields =
        ["id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at", "impact", "shortlink", "started_at", "page_id", "incident_updates", "components"];

    private static readonly string[] UpdateFields =
        ["id", "status", "body", "incident_id", "created_at", "updated_at", "display_at", "affected_components", "deliver_notifications"];

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TheStatuspageDocumentsHaveExactlyTheirFieldsAndEnums(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (_, number) = await DeclareAsync(admin, MinorIncident());
        await admin.PatchAsJsonAsync($"/api/v1/components/{await ComponentId(app, "web.site")}", new { status = "partial_outage" });
        await PostNoticeAsync(admin, number, Notice("ウェブサイトの障害", "Website issue"));
        await RefreshAsync(app);
        var client = app.Anonymous("ja");

        var summary = await client.GetJson("/api/v2/summary.json");
        Assert.Equal(["page", "components", "incidents", "scheduled_maintenances", "status"], summary.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(["id", "name", "url", "time_zone", "updated_at"], summary.GetProperty("page").EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("Asia/Tokyo", summary.GetProperty("page").GetProperty("time_zone").GetString());
        Assert.Equal(["indicator", "description"], summary.GetProperty("status").EnumerateObject().Select(p => p.Name).ToArray());

        var components = summary.GetProperty("components").EnumerateArray().ToList();
        var statuses = new[] { "operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance" };
        foreach (var c in components)
        {
            var names = c.EnumerateObject().Select(p => p.Name).ToArray();
            Assert.Equal(c.GetProperty("group").GetBoolean() ? [.. ComponentFields, "components"] : ComponentFields, names);
            Assert.Contains(c.GetProperty("status").GetString(), statuses);
        }
        // Per pair and per asset and network, inside their groups; internal components stay out.
        var trading = components.Single(c => c.GetProperty("group").GetBoolean() && c.GetProperty("name").GetString() == "取引");
        var btc = components.Single(c => c.GetProperty("name").GetString() == "BTC/JPY 取引");
        Assert.Equal(trading.GetProperty("id").GetString(), btc.GetProperty("group_id").GetString());
        Assert.Contains(btc.GetProperty("id").GetString(), trading.GetProperty("components").EnumerateArray().Select(x => x.GetString()));
        Assert.Contains(components, c => c.GetProperty("name").GetString() == "ETH 出金（Arbitrum One）");
        Assert.DoesNotContain(components, c => c.GetProperty("name").GetString() == "基幹データベース");
        var channels = components.Single(c => c.GetProperty("group").GetBoolean() && c.GetProperty("name").GetString() == "ウェブサイト・アプリ");
        Assert.Equal("partial_outage", channels.GetProperty("status").GetString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", btc.GetProperty("start_date").GetString()!);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", btc.GetProperty("updated_at").GetString()!);

        var incident = Assert.Single(summary.GetProperty("incidents").EnumerateArray());
        Assert.Equal(IncidentFields, incident.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Contains(incident.GetProperty("status").GetString(), new[] { "investigating", "identified", "monitoring", "resolved", "postmortem" });
        Assert.Contains(incident.GetProperty("impact").GetString(), new[] { "none", "minor", "major", "critical" });
        Assert.EndsWith($"/ja/incidents/{incident.GetProperty("id").GetString()}", incident.GetProperty("shortlink").GetString());
        var update = Assert.Single(incident.GetProperty("incident_updates").EnumerateArray());
        Assert.Equal(UpdateFields, update.EnumerateObject().Select(p => p.Name).ToArray());
        var affected = Assert.Single(update.GetProperty("affected_components").EnumerateArray());
        Assert.Equal(["code", "name", "old_status", "new_status"], affected.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("operational", affected.GetProperty("old_status").GetString());
        Assert.Equal("partial_outage", affected.GetProperty("new_status").GetString());
        Assert.Equal("ウェブサイト", Assert.Single(incident.GetProperty("components").EnumerateArray()).GetProperty("name").GetString());
        // A partial outage and a level-1 incident: minor.
        Assert.Equal("minor", summary.GetProperty("status").GetProperty("indicator").GetString());

        foreach (var doc in new[] { "status", "components", "incidents", "incidents/unresolved", "scheduled-maintenances",
            "scheduled-maintenances/upcoming", "scheduled-maintenances/active" })
        {
            var json = await client.GetJson($"/api/v2/{doc}.json");
            Assert.True(json.TryGetProperty("page", out _), doc);
        }
        Assert.Contains((await app.Anonymous("en").GetJson("/api/v2/components.json")).GetProperty("components").EnumerateArray(),
            c => c.GetProperty("name").GetString() == "BTC/JPY trading");
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task EverythingPeopleTypedIsEncodedOnThePublicPages(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        const string script = "<script>alert(1)</script>";
        const string attribute = "\" onmouseover=\"alert(2)";
        const string url = "javascript:alert(3)";
        await admin.PostJson("/api/v1/components", new
        {
            key = "trading.evil_jpy", category = "trading", group = "trading", nameJa = "EVIL " + script, nameEn = "EVIL " + attribute, pair = "evil_jpy",
        }, HttpStatusCode.Created);
        var (_, number) = await DeclareAsync(admin, new { title = script, category = "trading", impactScope = "some", componentIds = new[] { "trading.evil_jpy" } });
        await admin.PostJson($"/api/v1/incidents/{number}/level", new { level = 1, reason = "test" });
        await PostNoticeAsync(admin, number, new
        {
            occurredAt = DateTime.UtcNow.AddMinutes(-1),
            title = new { ja = "T " + script, en = "T " + attribute },
            whatHappened = new { ja = url, en = "<img src=x onerror=alert(4)>" },
            impact = new { ja = attribute, en = script },
            recoveryOutlook = new { ja = "<a href=\"javascript:alert(5)\">x</a>", en = "&lt;b&gt;" },
            alternatives = new { ja = "'; alert(6); '", en = "]]></content><x>" },
        });
        await RefreshAsync(app);

        var incidentId = (await app.Anonymous().GetJson("/api/v2/incidents.json")).GetProperty("incidents")[0].GetProperty("id").GetString();
        foreach (var lang in new[] { "ja", "en" })
        {
            foreach (var path in new[] { "/", "/notices", "/history", "/subscribe", $"/incidents/{incidentId}" })
            {
                var html = await PageAsync(app.Anonymous(), $"/{lang}{path}");
                Assert.DoesNotContain("<script>", html);
                Assert.DoesNotContain("<img src=x", html);
                Assert.DoesNotContain("onmouseover=\"alert", html);
                Assert.DoesNotContain("href=\"javascript:", html);
                Assert.DoesNotContain("onerror=alert(4)>", html);
            }
            var html2 = await PageAsync(app.Anonymous(), $"/{lang}/");
            Assert.Contains("&lt;script&gt;", html2);
            foreach (var feed in new[] { "/feed.atom", "/feed.rss" })
            {
                var xml = System.Xml.Linq.XDocument.Parse(await PageAsync(app.Anonymous(), $"/{lang}{feed}"));
                Assert.Contains(xml.Descendants(), e => e.Value.Contains("]]></content><x>", StringComparison.Ordinal) || e.Value.Contains("<script>", StringComparison.Ordinal));
            }
        }
        var json = await PageAsync(app.Anonymous("ja"), "/api/v2/incidents.json");
        Assert.DoesNotContain("<script>", json);
        Assert.Equal("T " + script, JsonDocument.Parse(json).RootElement.GetProperty("incidents")[0].GetProperty("name").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ThePageIsServedCompressedWithETagsAndTheRightLanguage(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var client = app.Anonymous("en");

        var plain = await client.GetAsync("/");
        Assert.Equal("en", plain.Content.Headers.ContentLanguage.Single());
        Assert.Contains("All Systems Operational", await plain.Content.ReadAsStringAsync());
        var etag = plain.Headers.ETag!;
        Assert.False(etag.IsWeak);
        Assert.Contains("stale-while-revalidate", plain.Headers.CacheControl!.ToString());
        Assert.True(plain.Headers.CacheControl.Public);
        Assert.Contains("Accept-Language", plain.Headers.Vary);
        Assert.Contains("default-src 'none'", plain.Headers.GetValues("Content-Security-Policy").Single());

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/");
        conditional.Headers.IfNoneMatch.Add(etag);
        var notModified = await client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        foreach (var (coding, decode) in new (string, Func<Stream, Stream>)[]
        {
            ("br", s => new BrotliStream(s, CompressionMode.Decompress)),
            ("gzip", s => new GZipStream(s, CompressionMode.Decompress)),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v2/summary.json");
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(coding));
            var response = await client.SendAsync(request);
            Assert.Equal(coding, response.Content.Headers.ContentEncoding.Single());
            Assert.NotEqual(etag, response.Headers.ETag);
            using var reader = new StreamReader(decode(await response.Content.ReadAsStreamAsync()));
            var doc = JsonDocument.Parse(await reader.ReadToEndAsync());
            Assert.Equal("All Systems Operational", doc.RootElement.GetProperty("status").GetProperty("description").GetString());
            Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }

        Assert.Contains("すべてのサービスは正常に稼働しています", await PageAsync(app.Anonymous("ja"), "/"));
        Assert.Contains("All Systems Operational", await PageAsync(app.Anonymous("ja"), "/?lang=en"));
        var prefixed = await app.Anonymous("ja").GetAsync("/en/history");
        Assert.Equal("en", prefixed.Content.Headers.ContentLanguage.Single());
        Assert.DoesNotContain("Accept-Language", prefixed.Headers.Vary);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/ja/"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/en/incidents/0000")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/ja/no-such-page")).StatusCode);
        // Text and landmarks for assistive technology; no scripts anywhere.
        var html = await PageAsync(client, "/en/");
        Assert.Contains("<html lang=\"en\">", html);
        foreach (var landmark in new[] { "role=\"banner\"", "role=\"main\"", "role=\"contentinfo\"", "class=\"skip\"" })
        {
            Assert.Contains(landmark, html);
        }
        Assert.DoesNotContain("<script", html);
        Assert.Contains("name=\"viewport\"", html);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AvailabilityBarsComeFromTheSourceOrSayNoData(Store store)
    {
        await using (var without = await FukkyuApp.StartAsync(store))
        {
            Assert.Contains("No availability data", await PageAsync(without.Anonymous(), "/en/"));
        }
        var source = new FixedAvailability();
        await using var app = await FukkyuApp.StartAsync(store, services: s => s.AddSingleton<IAvailabilitySource>(source));
        var html = await PageAsync(app.Anonymous(), "/en/");
        Assert.Contains("Availability over 90 days: 99.50%", html);
        Assert.Contains("role=\"img\"", html);
        Assert.True(source.Asked > 10);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ChangesWithinAQuarterSecondOfARebuildAreTakenTogetherIntoTheNext(Store store)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await FukkyuApp.StartAsync(store, clock);
        var admin = app.Admin();
        var snapshots = app.Services.GetRequiredService<StatusSnapshots>();
        var component = await ComponentId(app, "web.site");
        async Task<long> RebuiltAfter(long version, bool advance)
        {
            for (var i = 0; i < 300; i++)
            {
                if (snapshots.Current!.Version > version)
                {
                    return snapshots.Current.Version;
                }
                if (advance)
                {
                    clock.Advance(TimeSpan.FromMilliseconds(50));
                }
                await Task.Delay(50);
            }
            Assert.Fail("The status page was not rebuilt.");
            return 0;
        }

        var before = snapshots.Current!.Version;
        (await admin.PatchAsJsonAsync($"/api/v1/components/{component}", new { status = "partial_outage" })).EnsureSuccessStatusCode();
        var first = await RebuiltAfter(before, advance: true);

        // Right after a rebuild: the next change waits for the quarter second to pass (on the clock).
        (await admin.PatchAsJsonAsync($"/api/v1/components/{component}", new { status = "major_outage" })).EnsureSuccessStatusCode();
        await Task.Delay(500);
        Assert.Equal(first, snapshots.Current!.Version);
        clock.Advance(TimeSpan.FromMilliseconds(250));
        await RebuiltAfter(first, advance: false);
        Assert.Contains("major_outage", await PageAsync(app.Anonymous(), "/api/v2/components.json"));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TheLastSnapshotIsServedWhileTheDatabaseIsDown(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (_, number) = await DeclareAsync(admin, MinorIncident());
        await PostNoticeAsync(admin, number, Notice("障害発生中のお知らせ", "Ongoing issue"));
        await RefreshAsync(app);
        var before = await PageAsync(app.Anonymous(), "/api/v2/summary.json");

        await BreakDatabaseAsync(app, store);

        var snapshots = app.Services.GetRequiredService<StatusSnapshots>();
        Assert.Null(await snapshots.RefreshAsync(CancellationToken.None));
        Assert.NotNull(snapshots.LastError);
        var client = app.Anonymous();
        Assert.Equal(before, await PageAsync(client, "/api/v2/summary.json"));
        Assert.Contains("障害発生中のお知らせ", await PageAsync(client, "/ja/"));
        Assert.Contains("Ongoing issue", await PageAsync(client, "/en/feed.atom"));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task StatusExportWritesTheSameFilesForStaticHosting(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (id, number) = await DeclareAsync(admin, MinorIncident());
        await PostNoticeAsync(admin, number, Notice("エクスポートのテスト", "Export test"));
        await RefreshAsync(app);
        var dir = Path.Combine(Path.GetTempPath(), "fukkyu-export-" + Guid.NewGuid().ToString("N"));
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var exit = await FukkyuCli.RunAsync(["status", "export", dir], output, error,
                new CliSettings(Path.Combine(dir + "-cfg", "config.json"), "http://localhost", FukkyuApp.AdminKey, app.Server.CreateHandler()));
            Assert.True(exit == 0, error.ToString());

            var client = app.Anonymous();
            foreach (var (file, url) in new[]
            {
                ("index.html", "/ja/"), ("ja/index.html", "/ja/"), ("en/index.html", "/en/"), ("en/history/index.html", "/en/history"),
                ($"ja/incidents/{Hex(id)}/index.html", $"/ja/incidents/{Hex(id)}"), ("api/v2/summary.json", "/ja/api/v2/summary.json"),
                ("en/api/v2/summary.json", "/en/api/v2/summary.json"), ("en/feed.atom", "/en/feed.atom"), ("ja/maintenance.ics", "/ja/maintenance.ics"),
                ("404.html", null as string),
            })
            {
                var path = Path.Combine(dir, file);
                Assert.True(File.Exists(path), $"{file} was not written");
                if (url is not null)
                {
                    Assert.Equal(await client.GetByteArrayAsync(url), await File.ReadAllBytesAsync(path));
                }
            }
            Assert.Contains("files", output.ToString());
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static async Task<string> ComponentId(FukkyuApp app, string key) =>
        (await app.Admin().GetJson($"/api/v1/components/{key}")).GetProperty("id").GetString()!;

    /// <summary>The database stops answering: PostgreSQL's database is dropped, SQLite's file overwritten.</summary>
    internal static async Task BreakDatabaseAsync(FukkyuApp app, Store store)
    {
        var cs = app.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>().GetConnectionString("Fukkyu")!;
        if (store == Store.Postgres)
        {
            var name = new NpgsqlConnectionStringBuilder(cs).Database!;
            NpgsqlConnection.ClearAllPools();
            await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Stores.PostgresConnection) { Pooling = false }.ConnectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE \"{name}\" WITH (FORCE)", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        else
        {
            var file = new SqliteConnectionStringBuilder(cs).DataSource;
            SqliteConnection.ClearAllPools();
            await File.WriteAllBytesAsync(file, new byte[8192]);
            foreach (var extra in new[] { file + "-wal", file + "-shm" })
            {
                File.Delete(extra);
            }
        }
    }

    private sealed class FixedAvailability : IAvailabilitySource
    {
        public int Asked { get; private set; }

        public Task<IReadOnlyList<DailyAvailability>> DailyAsync(IReadOnlyCollection<Guid> componentIds, DateOnly from, DateOnly to, CancellationToken ct)
        {
            Asked = componentIds.Count;
            var days = new List<DailyAvailability>();
            foreach (var id in componentIds)
            {
                for (var d = from; d <= to; d = d.AddDays(1))
                {
                    days.Add(new DailyAvailability(id, d, 0.995));
                }
            }
            return Task.FromResult<IReadOnlyList<DailyAvailability>>(days);
        }
    }
}
