using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Fukkyu.Cli;

/// <summary>An error the server answered, with its problem details.</summary>
public sealed class ApiException(HttpStatusCode status, string message, IReadOnlyDictionary<string, string[]> errors, IReadOnlyList<string> missing)
    : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
    public IReadOnlyList<string> Missing { get; } = missing;
}

public sealed class ApiClient(HttpClient http) : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static ApiClient Create(string server, string? apiKey, HttpMessageHandler? handler, string? language)
    {
        var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.BaseAddress = new Uri(server.TrimEnd('/') + "/");
        http.Timeout = TimeSpan.FromSeconds(60);
        if (!string.IsNullOrEmpty(apiKey))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
        var lang = language ?? (CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "ja" ? "ja" : "en");
        http.DefaultRequestHeaders.AcceptLanguage.Add(new StringWithQualityHeaderValue(lang));
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("fukkyu-cli", "1.0"));
        return new ApiClient(http);
    }

    public Task<JsonElement> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    public Task<JsonElement> PostAsync(string path, object body, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, ct);

    public Task<JsonElement> PatchAsync(string path, object body, CancellationToken ct) => SendAsync(HttpMethod.Patch, path, body, ct);

    /// <summary>A document as the server sends it (Markdown, HTML, PDF, CSV): its bytes and content type.</summary>
    public async Task<(byte[] Body, string? ContentType)> GetRawAsync(string path, CancellationToken ct)
    {
        using var response = await http.GetAsync(path.TrimStart('/'), ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            var text = System.Text.Encoding.UTF8.GetString(bytes);
            JsonElement json = default;
            try
            {
                json = JsonDocument.Parse(text).RootElement.Clone();
            }
            catch (JsonException)
            {
                // Not JSON: the text itself is the message.
            }
            throw ToException(response.StatusCode, json, text);
        }
        return (bytes, response.Content.Headers.ContentType?.MediaType);
    }

    public async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonElement json = default;
        if (text.Length > 0)
        {
            try
            {
                json = JsonDocument.Parse(text).RootElement.Clone();
            }
            catch (JsonException)
            {
                // Not JSON: reported below if the status is an error.
            }
        }
        if (!response.IsSuccessStatusCode)
        {
            throw ToException(response.StatusCode, json, text);
        }
        return json;
    }

    private static ApiException ToException(HttpStatusCode status, JsonElement json, string text)
    {
        var message = $"{(int)status} {status}";
        var errors = new Dictionary<string, string[]>();
        var missing = new List<string>();
        if (json.ValueKind == JsonValueKind.Object)
        {
            if (json.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String)
            {
                message = d.GetString()!;
            }
            else if (json.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String)
            {
                message = t.GetString()!;
            }
            else if (json.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
            {
                message = m.GetString()!;
            }
            if (json.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in e.EnumerateObject())
                {
                    errors[p.Name] = p.Value.ValueKind == JsonValueKind.Array
                        ? [.. p.Value.EnumerateArray().Select(x => x.ToString())]
                        : [p.Value.ToString()];
                }
            }
            if (json.TryGetProperty("missing", out var mi) && mi.ValueKind == JsonValueKind.Array)
            {
                missing.AddRange(mi.EnumerateArray().Select(x => x.ToString()));
            }
        }
        else if (!string.IsNullOrWhiteSpace(text) && text.Length < 500)
        {
            message = text.Trim();
        }
        return new ApiException(status, message, errors, missing);
    }

    public void Dispose() => http.Dispose();
}
