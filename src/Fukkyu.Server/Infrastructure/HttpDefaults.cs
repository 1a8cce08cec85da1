using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Localization;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Infrastructure;

public sealed class HttpOptions
{
    public const string Section = "Fukkyu:Http";

    /// <summary>Default request body limit; endpoints that need more say so with metadata.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Reverse proxies (addresses, or networks as <c>10.0.0.0/8</c>) whose <c>X-Forwarded-For</c> and
    /// <c>X-Forwarded-Proto</c> are believed, so that per-client limits see the client and not the
    /// proxy. Loopback is always believed; anyone else's headers are ignored.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    internal static bool IsProxyEntry(string value) =>
        value.Contains('/') ? System.Net.IPNetwork.TryParse(value, out _) : System.Net.IPAddress.TryParse(value, out _);
}

public static class HttpDefaults
{
    public static readonly string[] Cultures = ["ja", "en"];

    public static IHostApplicationBuilder AddHttpDefaults(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<HttpOptions>().BindConfiguration(HttpOptions.Section)
            .Validate(o => o.TrustedProxies.All(HttpOptions.IsProxyEntry),
                "Fukkyu:Http:TrustedProxies: each entry must be an IP address or a network such as 10.0.0.0/8.")
            .ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<Microsoft.Extensions.Options.IOptions<HttpOptions>>((f, http) =>
        {
            f.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Entries are valid here: reading the options ran their validation.
            foreach (var entry in http.Value.TrustedProxies)
            {
                if (entry.Contains('/'))
                {
                    f.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(entry));
                }
                else
                {
                    f.KnownProxies.Add(System.Net.IPAddress.Parse(entry));
                }
            }
        });
        services.Configure<JsonOptions>(o => ConfigureJson(o.SerializerOptions));
        // Bad input is answered by our exception handler with the field and the reason.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
            ctx.ProblemDetails.Extensions.TryAdd("traceId", ctx.HttpContext.TraceIdentifier));
        services.AddExceptionHandler<ClientErrorExceptionHandler>();
        services.AddLocalization();
        // Encode what HTML needs encoded, not every Japanese character.
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.SetDefaultCulture("ja").AddSupportedCultures(Cultures).AddSupportedUICultures(Cultures);
            o.FallBackToParentCultures = true;
            o.FallBackToParentUICultures = true;
            o.RequestCultureProviders =
            [
                new QueryStringRequestCultureProvider { QueryStringKey = "lang", UIQueryStringKey = "lang" },
                new CookieRequestCultureProvider(),
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<NodeIdentity>();
        services.AddSingleton<ChangeSignal>();
        services.AddScoped<LeaseManager>();
        return builder;
    }

    public static void ConfigureJson(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.Converters.Add(new WireEnumConverterFactory());
        o.MaxDepth = 32;
    }

    public static WebApplication UseHttpDefaults(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestLocalization();
        return app;
    }

    /// <summary>
    /// Answers 413 before reading a body that announces itself too large, and caps streamed bodies
    /// at the same size. Endpoints raise the cap with <c>.WithMetadata(new RequestSizeLimitAttribute(n))</c>.
    /// </summary>
    public static WebApplication UseRequestSizeGuard(this WebApplication app)
    {
        app.Use(async (ctx, next) =>
        {
            var limit = ctx.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize
                ?? ctx.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<HttpOptions>>().Value.MaxRequestBodyBytes;
            if (ctx.Request.ContentLength > limit)
            {
                await WriteProblem(ctx, StatusCodes.Status413PayloadTooLarge, Validation.Text("BodyTooLarge", limit));
                return;
            }
            if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = limit;
            }
            await next(ctx);
        });
        return app;
    }

    internal static async Task WriteProblem(HttpContext ctx, int status, string detail, IDictionary<string, string[]>? errors = null)
    {
        var problem = errors is null
            ? new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Detail = detail }
            : new HttpValidationProblemDetails(errors) { Status = status, Detail = detail, Title = Validation.Text("ValidationTitle") };
        ctx.Response.StatusCode = status;
        var pds = ctx.RequestServices.GetRequiredService<IProblemDetailsService>();
        await pds.WriteAsync(new ProblemDetailsContext { HttpContext = ctx, ProblemDetails = problem });
    }
}

/// <summary>
/// Turns what a client can cause — malformed JSON, an unknown enum, a body too large, a lost
/// concurrency race — into a 4xx problem with the field and the reason. Never a 500.
/// </summary>
internal sealed class ClientErrorExceptionHandler(ILogger<ClientErrorExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext ctx, Exception exception, CancellationToken ct)
    {
        switch (exception)
        {
            case BadHttpRequestException bad:
                var status = bad.StatusCode;
                if (FindJsonException(bad) is { } json)
                {
                    var field = FieldName(json.Path);
                    var message = CleanMessage(json);
                    await HttpDefaults.WriteProblem(ctx, StatusCodes.Status400BadRequest, Validation.Text("InvalidJson"),
                        new Dictionary<string, string[]> { [field] = [message] });
                    return true;
                }
                var detail = status == StatusCodes.Status413PayloadTooLarge
                    ? Validation.Text("BodyTooLarge", ctx.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 0)
                    : bad.Message;
                await HttpDefaults.WriteProblem(ctx, status, detail);
                return true;
            case DbUpdateConcurrencyException:
                await HttpDefaults.WriteProblem(ctx, StatusCodes.Status409Conflict, Validation.Text("Conflict"));
                return true;
            case OperationCanceledException when ctx.RequestAborted.IsCancellationRequested:
                return true;
            default:
                log.LogError(exception, "Unhandled exception for {Method} {Path}", ctx.Request.Method, ctx.Request.Path);
                await HttpDefaults.WriteProblem(ctx, StatusCodes.Status500InternalServerError, Validation.Text("Unexpected"));
                return true;
        }
    }

    private static JsonException? FindJsonException(Exception e)
    {
        for (var x = e.InnerException; x is not null; x = x.InnerException)
        {
            if (x is JsonException j)
            {
                return j;
            }
        }
        return null;
    }

    internal static string FieldName(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    // System.Text.Json appends "Path: … | LineNumber: …" to messages; the field is reported separately.
    private static string CleanMessage(JsonException e)
    {
        var m = e.Message;
        var cut = m.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            m = m[..cut];
        }
        if (m.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            return Validation.Text("WrongType");
        }
        return m;
    }
}
