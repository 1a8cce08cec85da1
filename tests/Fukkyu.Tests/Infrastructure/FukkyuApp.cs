using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Fukkyu.Server.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Fukkyu.Tests.Infrastructure;

public enum Store
{
    Sqlite,
    Postgres,
}

public static class Stores
{
    /// <summary>Every API test runs on both stores; PostgreSQL when FUKKYU_TEST_POSTGRES is set.</summary>
    public static TheoryData<Store> Both => new() { Store.Sqlite, Store.Postgres };

    public static string? PostgresConnection => Environment.GetEnvironmentVariable("FUKKYU_TEST_POSTGRES") is { Length: > 0 } s ? s : null;

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}

public sealed record TestUser(Guid Id, string UserName, string ApiKey, HttpClient Client);

/// <summary>
/// A fresh Fukkyu per test: its own SQLite file or its own PostgreSQL database (cloned from a
/// migrated template), a known admin key, and optionally a clock the test moves.
/// </summary>
public sealed class FukkyuApp : WebApplicationFactory<Program>
{
    public const string AdminKey = "fk_test-admin-key-0123456789abcdefghijklmnopqrstu";
    public const string AdminPassword = "admin-password-for-tests";

    private readonly string _connectionString;
    private readonly Action<IServiceCollection>? _services;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly string? _sqliteFile;
    private readonly string? _postgresDatabase;

    private FukkyuApp(Store store, string connectionString, string? sqliteFile, string? postgresDatabase, FakeTimeProvider? time,
        Action<IServiceCollection>? services, IReadOnlyDictionary<string, string?>? settings)
    {
        Store = store;
        _connectionString = connectionString;
        _sqliteFile = sqliteFile;
        _postgresDatabase = postgresDatabase;
        Time = time;
        _services = services;
        _settings = settings ?? new Dictionary<string, string?>();
    }

    public Store Store { get; }

    /// <summary>The loopback URL of the Kestrel server, when started with <c>kestrel: true</c>.</summary>
    public string BaseUrl { get; private set; } = "http://localhost";

    public FakeTimeProvider? Time { get; }

    /// <summary>With <paramref name="kestrel"/>, a real HTTP server on a loopback port (<see cref="BaseUrl"/>) for browsers and external tools.</summary>
    public static async Task<FukkyuApp> StartAsync(Store store, FakeTimeProvider? time = null,
        Action<IServiceCollection>? services = null, IReadOnlyDictionary<string, string?>? settings = null, bool kestrel = false)
    {
        FukkyuApp app;
        if (store == Store.Postgres)
        {
            if (Stores.PostgresConnection is null)
            {
                // In CI PostgreSQL must be there; a silent skip would hide a broken store.
                Assert.False(Stores.InCi, "FUKKYU_TEST_POSTGRES is not set in CI.");
                Assert.Skip("FUKKYU_TEST_POSTGRES is not set; PostgreSQL tests are skipped on this machine.");
            }
            var (cs, db) = await PostgresDatabases.CreateAsync();
            app = new FukkyuApp(store, cs, null, db, time, services, settings);
        }
        else
        {
            var file = await SqliteDatabases.CreateAsync();
            app = new FukkyuApp(store, $"Data Source={file}", file, null, time, services, settings);
        }
        if (kestrel)
        {
            app.UseKestrel(0);
            app.StartServer();
            app.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
                .First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
        }
        else
        {
            _ = app.Server; // start now: migrations, bootstrap and the sample catalog
        }
        return app;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // As in Development (what `dotnet run` starts): a scoped service taken from the root
        // provider fails here, not only on a newcomer's first run.
        builder.UseDefaultServiceProvider(o =>
        {
            o.ValidateScopes = true;
            o.ValidateOnBuild = true;
        });
        // Serve wwwroot (CSS) from the build's static web assets, as in Development.
        builder.UseStaticWebAssets();
        builder.UseSetting("Urls", "http://127.0.0.1:0");
        builder.UseSetting("ConnectionStrings:Fukkyu", _connectionString);
        builder.UseSetting("Fukkyu:Database:Provider", Store == Store.Postgres ? "postgres" : "sqlite");
        builder.UseSetting("Fukkyu:Database:Migrate", "true");
        builder.UseSetting("Fukkyu:Bootstrap:AdminApiKey", AdminKey);
        builder.UseSetting("Fukkyu:Bootstrap:AdminPassword", AdminPassword);
        // Best-size brotli of every status page costs seconds of CPU per app; tests need correct, not small.
        builder.UseSetting("Fukkyu:StatusPage:BrotliQuality", "4");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureTestServices(services =>
        {
            if (Time is not null)
            {
                services.AddSingleton<TimeProvider>(Time);
            }
            _services?.Invoke(services);
        });
    }

    public HttpClient Admin(string language = "en") => Client(AdminKey, language);

    public HttpClient Anonymous(string language = "en")
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.AcceptLanguage.Add(new StringWithQualityHeaderValue(language));
        return client;
    }

    public HttpClient Client(string apiKey, string language = "en")
    {
        var client = Anonymous(language);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <summary>Creates a user with these roles (and a password) and an API key for them.</summary>
    public async Task<TestUser> UserAsync(params string[] roles)
    {
        var admin = Admin();
        var name = "u" + Guid.NewGuid().ToString("N")[..12];
        var created = await admin.PostAsJsonAsync("/api/v1/users", new { userName = name, displayName = "User " + name, roles, password = "password-" + name });
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Json()).GetProperty("id").GetGuid();
        var key = await admin.PostAsJsonAsync("/api/v1/api-keys", new { name = "test", userId = id });
        Assert.Equal(System.Net.HttpStatusCode.Created, key.StatusCode);
        var apiKey = (await key.Json()).GetProperty("key").GetString()!;
        return new TestUser(id, name, apiKey, Client(apiKey));
    }

    public async Task<T> WithDbAsync<T>(Func<FukkyuDb, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<FukkyuDb>());
    }

    public async Task WithDbAsync(Func<FukkyuDb, Task> work)
    {
        await using var scope = Services.CreateAsyncScope();
        await work(scope.ServiceProvider.GetRequiredService<FukkyuDb>());
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_postgresDatabase is not null)
        {
            await PostgresDatabases.DropAsync(_postgresDatabase);
        }
        if (_sqliteFile is not null)
        {
            foreach (var f in new[] { _sqliteFile, _sqliteFile + "-alert-log" }.SelectMany(f => new[] { f, f + "-wal", f + "-shm" }))
            {
                try
                {
                    File.Delete(f);
                }
                catch (IOException)
                {
                    // A pooled handle may still be open; the temp folder is cleaned eventually.
                }
            }
        }
    }
}

public static class HttpJson
{
    public static async Task<JsonElement> Json(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> GetJson(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"GET {url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Json();
    }

    public static async Task<JsonElement> PostJson(this HttpClient client, string url, object body, System.Net.HttpStatusCode expected = System.Net.HttpStatusCode.OK)
    {
        var response = await client.PostAsJsonAsync(url, body);
        Assert.True(response.StatusCode == expected, $"POST {url} answered {(int)response.StatusCode}, expected {(int)expected}: {await response.Content.ReadAsStringAsync()}");
        return await response.Json();
    }
}
