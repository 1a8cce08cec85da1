using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Fukkyu.Server.Infrastructure;

public static class ApiDocs
{
    public static IHostApplicationBuilder AddApiDocs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi("v1", o =>
        {
            o.ShouldInclude = d => d.RelativePath is { } p && (p.StartsWith("api/v1", StringComparison.Ordinal) || p.StartsWith("v2/", StringComparison.Ordinal));
            o.AddDocumentTransformer((doc, _, _) =>
            {
                doc.Info.Title = "Fukkyu API";
                doc.Info.Description = "Incident response for crypto-asset exchanges. Authenticate with `Authorization: Bearer <API key>`.";
                return Task.CompletedTask;
            });
            // Our enums travel as snake_case strings; say so in the schema.
            o.AddSchemaTransformer((schema, ctx, _) =>
            {
                var type = Nullable.GetUnderlyingType(ctx.JsonTypeInfo.Type) ?? ctx.JsonTypeInfo.Type;
                if (type.IsEnum)
                {
                    schema.Type = JsonSchemaType.String;
                    schema.Enum = [.. WireEnumConverterFactory.WireNames(type).Select(n => (System.Text.Json.Nodes.JsonNode)n!)];
                }
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/api/reference", o => o.WithTitle("Fukkyu API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        return app;
    }
}
