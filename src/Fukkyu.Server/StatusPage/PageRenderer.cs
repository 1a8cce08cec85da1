using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace Fukkyu.Server.StatusPage;

/// <summary>
/// Renders the public Razor components to HTML strings outside any request (Razor encodes
/// every value). The page components take all their data as parameters and never touch the
/// database, so the same code renders the snapshot and the few per-request messages.
/// </summary>
public sealed class PageRenderer : IAsyncDisposable
{
    // The renderer resolves scoped services (the components' activity source), so it lives in a
    // scope of its own for as long as this singleton: from the root provider, Development's scope
    // validation refused it and the server did not start.
    private readonly AsyncServiceScope _scope;
    private readonly HtmlRenderer _renderer;

    public PageRenderer(IServiceScopeFactory scopes, ILoggerFactory loggers)
    {
        _scope = scopes.CreateAsyncScope();
        _renderer = new HtmlRenderer(_scope.ServiceProvider, loggers);
    }

    public Task<string> RenderAsync<TComponent>(IDictionary<string, object?> parameters) where TComponent : IComponent =>
        _renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await _renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters));
            return output.ToHtmlString();
        });

    public async ValueTask DisposeAsync()
    {
        await _renderer.DisposeAsync();
        await _scope.DisposeAsync();
    }
}
