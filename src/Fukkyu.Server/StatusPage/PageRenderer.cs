using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace Fukkyu.Server.StatusPage;

/// <summary>
/// Renders the public Razor components to HTML strings outside any request (Razor encodes
/// every value). The page components take all their data as parameters and never touch the
/// database, so the same code renders the snapshot and the few per-request messages.
/// </summary>
public sealed class PageRenderer(IServiceProvider services, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly HtmlRenderer _renderer = new(services, loggers);

    public Task<string> RenderAsync<TComponent>(IDictionary<string, object?> parameters) where TComponent : IComponent =>
        _renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await _renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters));
            return output.ToHtmlString();
        });

    public ValueTask DisposeAsync() => _renderer.DisposeAsync();
}
