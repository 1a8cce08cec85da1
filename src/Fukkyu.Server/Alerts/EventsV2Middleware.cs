using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Alerts;

/// <summary>
/// The PagerDuty Events v2 paths answered ahead of routing, authentication and localization —
/// none of which they use: the routing key in the body is the credential and every answer is
/// PagerDuty's English JSON. At tens of thousands of events a second that pipeline cost as much
/// CPU as storing the events (decision 047). The handlers are the mapped endpoints' own, so both
/// answer alike; the endpoints still serve what this does not match (a trailing slash, another
/// letter case) and describe the paths in the API document.
/// </summary>
public sealed class EventsV2Middleware(RequestDelegate next, IntegrationDirectory directory, AlertIngest ingest, TimeProvider time,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    public const string EnqueuePath = "/v2/enqueue";
    public const string ChangePath = "/v2/change/enqueue";

    private static readonly JsonEncodedText StatusName = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText MessageName = JsonEncodedText.Encode("message");
    private static readonly JsonEncodedText DedupKeyName = JsonEncodedText.Encode("dedup_key");

    private readonly JsonWriterOptions _writer = new()
    {
        Encoder = json.Value.SerializerOptions.Encoder,
        Indented = json.Value.SerializerOptions.WriteIndented,
    };

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || request.PathBase.HasValue)
        {
            return next(context);
        }
        return request.Path.Value switch
        {
            EnqueuePath => AnswerAsync(context, EventsV2.EnqueueAsync(context, directory, ingest, time)),
            ChangePath => AnswerAsync(context, EventsV2.ChangeAsync(context, directory, ingest, time)),
            _ => next(context),
        };
    }

    private async Task AnswerAsync(HttpContext context, Task<Results<JsonHttpResult<EventsV2Accepted>, JsonHttpResult<EventsV2Error>>> handled)
    {
        var result = (await handled).Result;
        if (result is JsonHttpResult<EventsV2Accepted> { Value: { } accepted, StatusCode: { } status })
        {
            // The common answer, written with the application's JSON options but without the
            // request-services scope that executing a result resolves them from.
            var response = context.Response;
            response.StatusCode = status;
            response.ContentType = "application/json; charset=utf-8";
            await using (var writer = new Utf8JsonWriter(response.BodyWriter, _writer))
            {
                // By hand rather than through the serializer's metadata: three strings, on every event.
                writer.WriteStartObject();
                writer.WriteString(StatusName, accepted.Status);
                writer.WriteString(MessageName, accepted.Message);
                if (accepted.DedupKey is { } dedupKey)
                {
                    writer.WriteString(DedupKeyName, dedupKey);
                }
                writer.WriteEndObject();
            }
            await response.BodyWriter.FlushAsync(context.RequestAborted);
            return;
        }
        await result.ExecuteAsync(context);
    }
}
